namespace AgentQ.Tests.Infrastructure;

internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);
