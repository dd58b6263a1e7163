namespace AgentFunctions.Testing.Http;

/// <summary>A request as <see cref="RecordingHttpServer"/> received it; <paramref name="Query"/> keeps its leading '?'.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The header's value (case-insensitive name), or null when the request did not carry it.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
