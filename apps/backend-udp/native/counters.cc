#include "counters.h"

namespace udpdp {

const char* const kCounterNames[kCounterCount] = {
#define UDPDP_NAME(name) #name,
    UDPDP_COUNTERS(UDPDP_NAME)
#undef UDPDP_NAME
};

}  // namespace udpdp
