namespace AgentFunctions.Api.OpenApi;

/// <summary>
/// Endpoint metadata: the JSON body a handler reads itself. <see cref="ApiDocument"/> turns it into Accepts metadata
/// for the generator; the hosts' own endpoints carry none, since routing would then refuse other content types with a
/// bare 415 before the handler answers with its own problem.
/// </summary>
public sealed record RequestBodyDoc(Type Type, bool Optional);
