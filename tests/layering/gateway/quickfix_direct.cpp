#include "ledger/sequencer.hpp"  // allowed: down
#include "gateway/router.hpp"    // allowed: itself
#include <quickfix/Message.h>  // wrong: QuickFIX only through gateway/quickfix.hpp
#include <spdlog/spdlog.h>     // allowed
