using System.Net;
using System.Text.Json;

namespace AgentFunctions.Contract.Tests.Support;

/// <summary>One HTTP answer of one engine.</summary>
internal sealed record Answer(string Engine, string Request, HttpStatusCode Status, string? MediaType, Uri? Location, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>Asserts the status code, saying which engine answered what.</summary>
    public Answer Is(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"[{Engine}] {Request} answered {(int)Status}, expected {(int)expected}: {Body}");
        return this;
    }

    /// <summary>Asserts an RFC 9457 problem with this status and a detail.</summary>
    public Answer IsProblem(HttpStatusCode expected)
    {
        Is(expected);
        Assert.True(MediaType == "application/problem+json", $"[{Engine}] {Request} answered {MediaType}, not problem+json: {Body}");
        var json = Json;
        Assert.Equal((int)expected, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()), $"[{Engine}] {Request}: the problem has no detail");
        return this;
    }
}
