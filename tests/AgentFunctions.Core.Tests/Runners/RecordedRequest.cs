namespace AgentFunctions.Core.Tests.Runners;

/// <summary>A request as <see cref="TestAgentServer"/> received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string QueryString, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
