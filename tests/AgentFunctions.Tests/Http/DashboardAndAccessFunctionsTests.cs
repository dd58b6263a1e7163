using AgentFunctions.Http;
using AgentFunctions.Tests.Support;

namespace AgentFunctions.Tests.Http;

/// <summary>The dashboard's and whoami's HTTP triggers, run as the Functions host runs them (through HttpTriggerRunner).</summary>
public sealed class DashboardAndAccessFunctionsTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_dashboard_triggers_serve_the_embedded_page_and_files_with_their_headers()
    {
        var functions = _app.Create<DashboardHttpFunctions>();
        var pageRequest = HttpCall.Request("GET", "/api/dashboard");
        var page = await HttpCall.RunAsync(pageRequest, await functions.PageAsync(pageRequest));
        var scriptRequest = HttpCall.Request("GET", "/api/dashboard/views/task.js");
        var script = await HttpCall.RunAsync(scriptRequest, await functions.AssetAsync(scriptRequest, "views/task.js"));
        var missingRequest = HttpCall.Request("GET", "/api/dashboard/nope.js");
        var missing = await HttpCall.RunAsync(missingRequest, await functions.AssetAsync(missingRequest, "nope.js"));

        Assert.Equal((200, "text/html; charset=utf-8"), (page.Status, page.ContentType));
        Assert.Contains("dashboard/app.js", page.Body, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'self'", pageRequest.HttpContext.Response.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal((200, "text/javascript; charset=utf-8"), (script.Status, script.ContentType));
        Assert.False(string.IsNullOrEmpty(scriptRequest.HttpContext.Response.Headers.ETag.ToString()));
        Assert.Equal((404, "application/problem+json"), (missing.Status, missing.ContentType));
    }

    [Fact]
    public async Task Whoami_answers_every_scope_for_a_function_key()
    {
        var request = HttpCall.Request("GET", "/api/whoami");

        var answer = await HttpCall.RunAsync(request, await _app.Create<AccessHttpFunctions>().WhoAmIAsync(request));

        Assert.Equal(200, answer.Status);
        Assert.Equal("host", answer.Json.GetProperty("source").GetString());
        Assert.Contains("approve", answer.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }
}
