using System.Net;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Standalone.Hosting;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class AuthTests : IAsyncLifetime
{
    private const string Coordinator = "coordinator-key-0123456789";
    private const string Reader = "reader-key-0123456789abcd";
    private const string Worker = "worker-key-0123456789abcd";
    private const string Admin = "admin-key-0123456789abcdef";
    private StandaloneServer _server = null!;

    /// <summary>The data directory of the servers that must refuse to be built; removed with the test.</summary>
    private readonly string _refusedData = TempPaths.NewDirectory("auth-refused");

    public async Task InitializeAsync() => _server = await StandaloneServer.StartAsync(Settings.Of(
        Settings.Echo("implementation"),
        new Dictionary<string, string>
        {
            ["Roles:review:Runner"] = "remote",
            ["Roles:docs:Runner"] = "remote",
            ["Auth:Keys:0:Name"] = "coordinator",
            ["Auth:Keys:0:Key"] = Coordinator,
            ["Auth:Keys:0:Scopes:0"] = "submit",
            ["Auth:Keys:0:Scopes:1"] = "read",
            ["Auth:Keys:0:Scopes:2"] = "cancel",
            ["Auth:Keys:1:Name"] = "dashboard",
            ["Auth:Keys:1:Key"] = Reader,
            ["Auth:Keys:1:Scopes:0"] = "read",
            ["Auth:Keys:2:Name"] = "review-worker",
            ["Auth:Keys:2:Key"] = Worker,
            ["Auth:Keys:2:Scopes:0"] = "worker:review",
            ["Auth:Keys:3:Name"] = "ops",
            ["Auth:Keys:3:Key"] = Admin,
            ["Auth:Keys:3:Scopes:0"] = "admin",
        }));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        TempPaths.TryDelete(_refusedData);
    }

    [Fact]
    public async Task Missing_key_is_401_and_nothing_is_stored()
    {
        using var response = await _server.PostJsonAsync("api/tasks", """{ "id": "auth-1", "to": ["implementation"], "instructions": "x" }""");

        await Responses.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "a key is required: send it in the x-functions-key header");
        using var check = await Send(HttpMethod.Get, "api/tasks/auth-1", Admin);
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
    }

    [Fact]
    public async Task Wrong_key_is_401()
    {
        using var response = await Send(HttpMethod.Get, "api/tasks", "not-a-real-key-at-all");

        await Responses.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "the key is not valid");
    }

    [Fact]
    public async Task Key_without_the_scope_is_403()
    {
        using var submit = await _server.PostJsonAsync("api/tasks", """{ "id": "auth-2", "to": ["implementation"], "instructions": "x" }""", Reader);
        using var approve = await _server.PostJsonAsync("api/tasks/auth-2/approve", "{}", Coordinator);
        using var otherRole = await Send(HttpMethod.Post, "api/workers/docs/lease", Worker);

        await Responses.AssertProblemAsync(submit, HttpStatusCode.Forbidden, "key 'dashboard' lacks the scope this request needs (submit or admin)");
        await Responses.AssertProblemAsync(approve, HttpStatusCode.Forbidden, "key 'coordinator' lacks the scope this request needs (approve or admin)");
        await Responses.AssertProblemAsync(otherRole, HttpStatusCode.Forbidden, "key 'review-worker' lacks the scope this request needs (worker:docs or admin)");
    }

    [Fact]
    public async Task Keys_with_the_scope_are_served()
    {
        using var submit = await _server.PostJsonAsync("api/tasks", """{ "id": "auth-3", "to": ["implementation"], "instructions": "x" }""", Coordinator);
        using var read = await Send(HttpMethod.Get, "api/tasks/auth-3", Reader);
        using var byQuery = await _server.Client.GetAsync($"api/tasks/auth-3?code={Reader}");
        using var lease = await Send(HttpMethod.Post, "api/workers/review/lease", Worker);
        using var admin = await Send(HttpMethod.Get, "api/deadletters", Admin);
        using var health = await _server.Client.GetAsync("api/health");

        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, lease.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Durable_raise_event_needs_the_scope_of_the_event_it_raises()
    {
        using var submit = await _server.PostJsonAsync("api/tasks", """{ "id": "auth-4", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""", Coordinator);
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);

        // The coordinator may cancel but not approve: the Durable route must not be a way around that.
        using var approve = await _server.PostJsonAsync("runtime/webhooks/durabletask/instances/auth-4/raiseEvent/approval", """{ "decision": "approve" }""", Coordinator);
        using var other = await _server.PostJsonAsync("runtime/webhooks/durabletask/instances/auth-4/raiseEvent/something", "{}", Coordinator);
        await Responses.AssertProblemAsync(approve, HttpStatusCode.Forbidden, "key 'coordinator' lacks the scope this request needs (approve or admin)");
        await Responses.AssertProblemAsync(other, HttpStatusCode.Forbidden, "key 'coordinator' lacks the scope this request needs (admin)");
        using (var view = await Send(HttpMethod.Get, "api/tasks/auth-4", Reader))
        {
            Assert.Contains("\"state\":\"awaiting_approval\"", await view.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var cancel = await _server.PostJsonAsync("runtime/webhooks/durabletask/instances/auth-4/raiseEvent/cancel", """{ "by": "coordinator" }""", Coordinator);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
    }

    [Fact]
    public void Kestrel_endpoints_beyond_loopback_without_keys_are_refused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => StandaloneApp.Build(
        [
            "--urls", "http://127.0.0.1:0", "--Standalone:DataDirectory", _refusedData,
            "--Kestrel:Endpoints:Public:Url", "http://0.0.0.0:0",
        ]));

        Assert.StartsWith("Auth:Keys: no keys are configured, so the server listens on loopback only", error.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_key_configuration_stops_the_host_naming_the_keys()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => StandaloneApp.Build(
        [
            "--urls", "http://127.0.0.1:0", "--Standalone:DataDirectory", _refusedData,
            "--Auth:Keys:0:Name", "short", "--Auth:Keys:0:Key", "abc", "--Auth:Keys:0:Scopes:0", "everything",
            "--Auth:Keys:1:Name", "keyless", "--Auth:Keys:1:Scopes:0", "read",
        ]));

        Assert.Contains("Auth:Keys:0:Key: must be at least 16 characters", error.Problems);
        Assert.Contains("Auth:Keys:1:Key: is required (the secret clients send as x-functions-key, at least 16 characters)", error.Problems);
        Assert.Contains("Auth:Keys:0:Scopes:0: unknown scope 'everything' (submit, read, approve, cancel, admin, worker:<role>, worker:*)", error.Problems);
    }

    [Fact]
    public void Listening_beyond_loopback_without_keys_is_refused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => StandaloneApp.Build(
            ["--urls", "http://0.0.0.0:0", "--Standalone:DataDirectory", _refusedData]));

        Assert.StartsWith("Auth:Keys: no keys are configured, so the server listens on loopback only", error.Problems[0], StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string key)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", key);
        return await _server.Client.SendAsync(request);
    }
}
