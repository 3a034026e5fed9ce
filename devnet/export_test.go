package devnet

// ExtMessage is extMessage for the tests of package devnet_test.
var ExtMessage = extMessage
