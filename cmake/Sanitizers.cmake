# ERX_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on every target,
# and any UB report aborts (so a test cannot pass over undefined behaviour).
if(ERX_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
