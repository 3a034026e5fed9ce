package everos

// Query texts. Each is validated against the EverOS schema by the tests, so
// a change here that the real server would refuse fails there first.
const (
	// queryInfo reads the server's version, clock (Unix ms) and data latency.
	queryInfo = `query{info{version time latency}}`

	// accountFields are the fields read for an account.
	accountFields = `id acc_type balance(format:DEC) code_hash data_hash boc code data last_paid last_trans_lt(format:DEC)`

	// queryAccount reads one account by its address "wc:hex".
	queryAccount = `query account($a:String!){accounts(filter:{id:{eq:$a}},limit:1){` + accountFields + `}}`

	// queryAccounts reads many accounts in one request.
	queryAccounts = `query accounts($ids:[String],$n:Int){accounts(filter:{id:{in:$ids}},limit:$n){` + accountFields + `}}`

	// queryCodeByHash reads the code of one account whose code has hash $h
	// (hex): how a contract's code is found on the network by its hash.
	queryCodeByHash = `query code($h:String!){accounts(filter:{code_hash:{eq:$h}},limit:1){code}}`

	// mutationPostRequests sends external messages.
	mutationPostRequests = `mutation postRequests($requests:[Request]){postRequests(requests:$requests)}`

	// transactionFields are the fields read for the transaction of a message.
	transactionFields = `id in_msg aborted status now lt(format:DEC) end_status compute{compute_type skipped_reason success exit_code} action{success result_code}`

	// queryTransactionByInMsg waits (server side, up to $t ms) for the
	// transaction whose inbound message has hash $h (hex).
	queryTransactionByInMsg = `query transactions($h:String!,$t:Float){transactions(filter:{in_msg:{eq:$h}},limit:1,timeout:$t){` + transactionFields + `}}`

	// subscriptionTransactionByInMsg delivers the transaction of message $h.
	subscriptionTransactionByInMsg = `subscription transactions($h:String!){transactions(filter:{in_msg:{eq:$h}}){` + transactionFields + `}}`
)

// allQueries lists every text above, for the schema test.
var allQueries = map[string]string{
	"info":                           queryInfo,
	"account":                        queryAccount,
	"accounts":                       queryAccounts,
	"codeByHash":                     queryCodeByHash,
	"postRequests":                   mutationPostRequests,
	"transactionByInMsg":             queryTransactionByInMsg,
	"subscriptionTransactionByInMsg": subscriptionTransactionByInMsg,
	"firstActive":                    queryFirstActive(3),
	"blocksByID":                     queryBlocksByID,
	"masterBlocks":                   queryMasterBlocks,
	"keyBlocks":                      queryKeyBlocks,
}
