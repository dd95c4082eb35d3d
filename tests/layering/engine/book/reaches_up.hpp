#pragma once
#include "engine/core/assert.hpp"        // allowed: down
#include "engine/fixed/decimal.hpp"      // allowed: down
#include "engine/exchange/exchange.hpp"  // wrong: the book may not see the exchange
