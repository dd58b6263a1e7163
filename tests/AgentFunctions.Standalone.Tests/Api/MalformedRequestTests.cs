using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

/// <summary>
/// The checked-in corpus of malformed bodies (Corpus/malformed) against every route that reads a body, and a body
/// that arrives too slowly: a 4xx problem+json answer, one log line at most, nothing stored, the server up.
/// </summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private StandaloneServer _server = null!;
    private string _leaseId = null!;

    public async Task InitializeAsync()
    {
        _server = await StandaloneServer.StartAsync(Settings.Of(
            Settings.Echo("implementation"),
            new Dictionary<string, string>
            {
                ["Roles:gated:Runner"] = "echo",
                ["Roles:gated:RequiresApproval"] = "true",
                ["Roles:remote-one:Runner"] = "remote",
                ["Roles:remote-one:LeaseSeconds"] = "600",
            }));

        // Real targets for the routes: a task awaiting approval and a held lease.
        await _server.SubmitAsync("""{ "id": "gated-task", "to": ["gated"], "instructions": "wait for a person" }""");
        await _server.SubmitAsync("""{ "id": "remote-task", "to": ["remote-one"], "instructions": "for a worker" }""");
        using var lease = await _server.PostJsonAsync("api/workers/remote-one/lease", """{ "workerId": "corpus" }""");
        _leaseId = (await Responses.ReadJsonAsync(lease)).GetProperty("leaseId").GetString()!;
        await _server.WaitForAsync("gated-task", view => view.State == AgentTaskStatus.AwaitingApproval);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_malformed_body_gets_a_4xx_problem_on_every_route_and_stores_nothing()
    {
        var corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "malformed")).Order(StringComparer.Ordinal).ToList();
        Assert.True(corpus.Count >= 30, $"the corpus has only {corpus.Count} files");
        string[] routes =
        [
            "api/tasks",
            "api/tasks/gated-task/approve",
            "api/tasks/gated-task/reject",
            "api/tasks/gated-task/cancel",
            "runtime/webhooks/durabletask/instances/gated-task/raiseEvent/approval",
            "runtime/webhooks/durabletask/instances/gated-task/raiseEvent/cancel",
            "runtime/webhooks/durabletask/instances/gated-task/raiseEvent/anything-else",
            "api/workers/remote-one/lease",
            $"api/workers/remote-one/leases/{_leaseId}/heartbeat",
            $"api/workers/remote-one/leases/{_leaseId}/complete",
            $"api/workers/remote-one/leases/{_leaseId}/fail",
        ];

        var wrong = new List<string>();
        foreach (var file in corpus)
        {
            var body = await File.ReadAllBytesAsync(file);
            foreach (var route in routes)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _server.Client.PostAsync(route, content);
                var status = (int)response.StatusCode;
                if (status is < 400 or >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    wrong.Add($"{Path.GetFileName(file)} -> POST {route}: {status} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));

        // Nothing stored: the same two tasks, the decision still open, the lease still held, no dead letters.
        var page = await _server.Client.GetFromJsonAsync<JsonElement>("api/tasks?top=1000");
        Assert.Equal(["remote-task", "gated-task"], page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()).Order(StringComparer.Ordinal).Reverse());
        var gated = await _server.GetTaskAsync("gated-task");
        Assert.Equal(AgentTaskStatus.AwaitingApproval, gated.State);
        using (var heartbeat = await _server.PostJsonAsync($"api/workers/remote-one/leases/{_leaseId}/heartbeat", "{}"))
        {
            var beat = await Responses.ReadJsonAsync(heartbeat);
            Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
            Assert.False(beat.GetProperty("canceled").GetBoolean());
        }

        var remote = await _server.GetTaskAsync("remote-task");
        Assert.Equal(1, remote.Roles[0].Attempt);
        Assert.Equal(RoleStatus.Running, remote.Roles[0].State);
        var deadLetters = await _server.Client.GetFromJsonAsync<JsonElement>("api/deadletters");
        Assert.Empty(deadLetters.GetProperty("items").EnumerateArray());
        // The tasks' own files (spec.json) are written just behind their state, at the lowest priority: on a loaded
        // machine the second folder may still be on its way.
        var tasksFolder = Path.Combine(_server.DataDirectory, "artifacts", "tasks");
        await WaitForAsync(() => Directory.Exists(Path.Combine(tasksFolder, "remote-task")) && Directory.Exists(Path.Combine(tasksFolder, "gated-task")));
        Assert.Equal(["gated-task", "remote-task"], Directory.GetDirectories(tasksFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var health = await _server.Client.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain("   at ", _server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/tasks", """{"id":"u-1","to":["implementation"],"instructions":"\ud800"}""", "the value of 'instructions' is not valid Unicode")]
    [InlineData("api/tasks/gated-task/approve", """{"by":"\udc00"}""", "the value of 'by' is not valid Unicode")]
    [InlineData("api/tasks/gated-task/reject", """{"reason":"\ud83d"}""", "the value of 'reason' is not valid Unicode")]
    [InlineData("api/tasks/gated-task/cancel", """{"by":"\udc00\ud800"}""", "the value of 'by' is not valid Unicode")]
    public async Task Lone_surrogates_are_400_naming_the_field(string route, string body, string detail)
    {
        using var response = await _server.PostJsonAsync(route, body);

        await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.Equal(AgentTaskStatus.AwaitingApproval, (await _server.GetTaskAsync("gated-task")).State);
    }

    [Theory]
    [InlineData("api/tasks")]
    [InlineData("api/tasks/gated-task/approve")]
    [InlineData("api/tasks/gated-task/reject")]
    [InlineData("api/tasks/gated-task/cancel")]
    public async Task Invalid_utf8_is_400_naming_the_field(string route)
    {
        byte[] body = [.. "{\"id\":\"u-2\",\"to\":[\"implementation\"],\"by\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _server.Client.PostAsync(route, content);

        await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, "the value of 'by' is not valid UTF-8");
        Assert.Equal(AgentTaskStatus.AwaitingApproval, (await _server.GetTaskAsync("gated-task")).State);
    }

    [Fact]
    public async Task A_body_that_arrives_too_slowly_is_408_with_one_log_line()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _server.BaseAddress.Port);
        var stream = socket.GetStream();
        var head = "POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // One byte a second, far below the server's minimum body rate, until it answers (it must within its grace period).
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var read = Task.Run(async () =>
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
        for (var i = 0; i < 30 && !read.IsCompleted; i++)
        {
            await Task.Delay(1000);
            try
            {
                await stream.WriteAsync(" "u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }
        }

        await read.WaitAsync(TimeSpan.FromSeconds(30));
        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 408", text, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", text, StringComparison.Ordinal);
        Assert.Contains("data arriving too slowly", text, StringComparison.Ordinal);

        // One log entry, no stack trace, and the server goes on.
        await WaitForAsync(() => _server.Output.Contains("[2101]", StringComparison.Ordinal));
        Assert.Single(_server.Output.Split('\n'), line => line.Contains("[2101]", StringComparison.Ordinal));
        Assert.Contains("POST /api/tasks answered 408", _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _server.Output, StringComparison.Ordinal);
        using var health = await _server.Client.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }
}
