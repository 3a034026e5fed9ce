package everostest

// ExtMessage is extMessage for the tests of package everostest_test.
var ExtMessage = extMessage
