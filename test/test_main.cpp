// The one Boost.Test main shared by every layer's test binary.
#define BOOST_TEST_MODULE db001
#include <boost/test/unit_test.hpp>
