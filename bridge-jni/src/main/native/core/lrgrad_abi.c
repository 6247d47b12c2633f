#include "lrgrad.h"

int32_t lrgrad_abi_version(void) {
  return LRGRAD_ABI_VERSION;
}
