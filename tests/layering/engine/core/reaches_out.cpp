#include "ledger/ledger.hpp"  // wrong: engine/ may include nothing outside engine/
#include "tests/support/x.hpp"  // wrong: production code never includes tests
#include <spdlog/spdlog.h>  // wrong: engine/ uses the standard library and Boost only
#include <boost/multiprecision/cpp_int.hpp>  // allowed
#include <vector>  // allowed
