#include "engine/exchange/exchange.hpp"  // allowed: down
#include "gateway/router.hpp"            // wrong: the ledger may not see the gateway
