#include "engine/book/order_book.hpp"  // allowed: down
#include "../../gateway/router.hpp"    // wrong: a relative path around the rules
