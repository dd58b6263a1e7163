using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

/// <summary>Every bad request gets a clear problem+json answer and leaves nothing behind.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private StandaloneServer _server = null!;

    public async Task InitializeAsync() => _server = await StandaloneServer.StartAsync(Settings.Of(
        Settings.Echo("implementation", "review"),
        new Dictionary<string, string> { ["Roles:remote-one:Runner"] = "remote" }));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("{ \"id\": \"bad-1\", \"to\": [\"implementation\"", "the request body is not valid JSON")]
    [InlineData("", "the request body is empty")]
    [InlineData("[]", "$: the task spec must be a JSON object")]
    [InlineData("{ \"id\": \"../etc\", \"to\": [\"implementation\"], \"instructions\": \"x\" }", "id: must match")]
    [InlineData("{ \"id\": \"bad-2\", \"to\": [\"ghost\"], \"instructions\": \"x\" }", "to[0]: unknown role 'ghost'")]
    [InlineData("{ \"id\": \"bad-3\", \"to\": [\"Implementation\"], \"instructions\": \"x\" }", "is not a valid role name")]
    [InlineData("{ \"id\": \"bad-4\", \"to\": [\"implementation\"], \"instructions\": \"x\", \"ttlSeconds\": 5 }", "ttlSeconds: must be between 60 and 2592000")]
    [InlineData("{ \"id\": \"bad-5\", \"to\": [\"implementation\"], \"instructions\": \"x\", \"priority\": \"asap\" }", "priority: must be one of low, normal, high, critical")]
    [InlineData("{ \"id\": \"bad-6\", \"to\": [\"implementation\", \"implementation\"], \"instructions\": \"x\" }", "appears more than once")]
    public async Task Invalid_specs_are_refused_with_400_and_nothing_is_stored(string body, string detail)
    {
        using var response = await _server.PostJsonAsync("api/tasks", body);

        await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Validation_problems_are_listed_field_by_field()
    {
        using var response = await _server.PostJsonAsync("api/tasks", """{ "to": ["ghost"], "priority": 3 }""");

        var problem = await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, "the task spec has 3 problems");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["priority", "to[0]", "instructions"], fields);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        using var content = new StringContent("""{ "to": ["implementation"], "instructions": "x" }""", Encoding.UTF8, "text/plain");

        using var response = await _server.Client.PostAsync("api/tasks", content);

        await Responses.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type must be application/json");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Context_over_the_limit_is_413()
    {
        var body = JsonSerializer.Serialize(new { id = "too-big", to = new[] { "implementation" }, context = new string('x', (1024 * 1024) + 10) });

        using var response = await _server.PostJsonAsync("api/tasks", body);

        await Responses.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "context: is 1048586 bytes; the limit is 1048576");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Context_at_the_limit_is_accepted_even_when_the_client_escapes_every_non_ascii_character()
    {
        // 512 Ki "é" = 1 MiB of UTF-8; escaped as \u00e9 (as Python's json.dumps does) it is 3 MiB on the wire.
        var context = string.Concat(Enumerable.Repeat("\\u00e9", 512 * 1024));
        var body = "{\"id\":\"escaped-context\",\"to\":[\"implementation\"],\"instructions\":\"x\",\"context\":\"" + context + "\"}";

        using var response = await _server.PostJsonAsync("api/tasks", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Body_far_over_the_limit_is_413_before_parsing()
    {
        using var content = new ByteArrayContent(new byte[8 * 1024 * 1024]);
        content.Headers.ContentType = new("application/json");

        using var response = await _server.Client.PostAsync("api/tasks", content);

        await Responses.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "the limit is");
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("api/tasks/bad%20id", "is not a valid task id")]
    [InlineData("api/tasks/-x", "is not a valid task id")]
    [InlineData("api/tasks/x~y", "is not a valid task id")]
    public async Task Bad_task_ids_in_the_path_are_400(string path, string detail)
    {
        using var response = await _server.Client.GetAsync(path);

        await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Unknown_tasks_are_404_for_every_route()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "api/tasks/nope"), (HttpMethod.Get, "api/tasks/nope/result"), (HttpMethod.Get, "api/tasks/nope/artifacts"),
            (HttpMethod.Post, "api/tasks/nope/approve"), (HttpMethod.Post, "api/tasks/nope/reject"), (HttpMethod.Post, "api/tasks/nope/cancel"),
            (HttpMethod.Get, "runtime/webhooks/durabletask/instances/nope"), (HttpMethod.Post, "runtime/webhooks/durabletask/instances/nope/terminate"),
            (HttpMethod.Delete, "runtime/webhooks/durabletask/instances/nope"), (HttpMethod.Get, "api/deadletters/nope~x"),
        })
        {
            using var response = await _server.Client.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("api/tasks/art-1/artifacts/..%2F..%2Fagentfunctions.db")]
    [InlineData("api/tasks/art-1/artifacts/results%5C..%5C..%5Cspec.json")]
    [InlineData("api/tasks/art-1/artifacts/%2Fetc%2Fpasswd")]
    [InlineData("api/tasks/art-1/artifacts/a%00b")]
    [InlineData("api/tasks/art-1/artifacts/.%2E/.%2E/x")]
    public async Task Artifact_paths_that_climb_out_are_refused(string path)
    {
        await _server.SubmitAsync("""{ "id": "art-1", "to": ["implementation"], "instructions": "x" }""");

        using var response = await _server.Client.GetAsync(path);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");

        // Kestrel itself refuses some targets (a NUL byte) before any route runs, with an empty 400.
        if (response.Content.Headers.ContentLength is not 0)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Missing_artifact_is_404()
    {
        await _server.SubmitAsync("""{ "id": "art-2", "to": ["implementation"], "instructions": "x" }""");

        using var response = await _server.Client.GetAsync("api/tasks/art-2/artifacts/results/none.md");

        await Responses.AssertProblemAsync(response, HttpStatusCode.NotFound, "task 'art-2' has no artifact 'results/none.md'");
    }

    [Theory]
    [InlineData("api/tasks?state=sleeping", "state: 'sleeping' is not a task state")]
    [InlineData("api/tasks?top=0", "top: must be a whole number between 1 and 1000")]
    [InlineData("api/tasks?top=abc", "top: must be a whole number between 1 and 1000")]
    [InlineData("api/tasks?continuationToken=garbage!", "continuationToken: the continuation token is not valid")]
    [InlineData("api/tasks?role=Bad", "role: 'Bad' is not a valid role name")]
    [InlineData("api/metrics?format=xml", "format: must be json or prometheus")]
    [InlineData("api/deadletters?continuationToken=garbage", "continuationToken: the continuation token is not valid; pass back")]
    public async Task Bad_query_values_are_400(string path, string detail)
    {
        using var response = await _server.Client.GetAsync(path);

        await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Decision_bodies_are_checked()
    {
        await _server.SubmitAsync("""{ "id": "decide-1", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");

        using var notObject = await _server.PostJsonAsync("api/tasks/decide-1/approve", "[1]");
        using var badRole = await _server.PostJsonAsync("api/tasks/decide-1/approve", """{ "role": "Not A Role" }""");
        using var badBy = await _server.PostJsonAsync("api/tasks/decide-1/reject", """{ "by": 42 }""");

        await Responses.AssertProblemAsync(notObject, HttpStatusCode.BadRequest, "the request body must be a JSON object");
        await Responses.AssertProblemAsync(badRole, HttpStatusCode.BadRequest, "role: 'Not A Role' is not a valid role name");
        await Responses.AssertProblemAsync(badBy, HttpStatusCode.BadRequest, "by: must be a string");
        Assert.Equal(Core.Workflow.AgentTaskStatus.AwaitingApproval, (await _server.GetTaskAsync("decide-1")).State);
    }

    [Fact]
    public async Task Bad_worker_requests_are_refused()
    {
        using var badLease = await _server.PostJsonAsync("api/workers/remote-one/leases/not-a-lease!/heartbeat", "{}");
        using var unknownLease = await _server.PostJsonAsync("api/workers/remote-one/leases/abcdef/complete", """{ "status": "completed" }""");
        using var badProgress = await _server.PostJsonAsync("api/workers/remote-one/leases/abcdef/heartbeat", """{ "progress": 7 }""");
        using var badWait = await _server.Client.PostAsync("api/workers/remote-one/lease?wait=600", null);
        using var badStatus = await _server.PostJsonAsync("api/workers/remote-one/leases/abcdef/complete", """{ "status": "sort-of" }""");

        await Responses.AssertProblemAsync(badLease, HttpStatusCode.BadRequest, "the lease id is not valid");
        await Responses.AssertProblemAsync(unknownLease, HttpStatusCode.Gone, "lease 'abcdef' is gone");
        await Responses.AssertProblemAsync(badProgress, HttpStatusCode.BadRequest, "progress: must be a number between 0 and 1");
        await Responses.AssertProblemAsync(badWait, HttpStatusCode.BadRequest, "wait: must be a whole number of seconds between 0 and 60");
        await Responses.AssertProblemAsync(badStatus, HttpStatusCode.BadRequest, "the result is not valid: status: must be one of \"completed\", \"needs_approval\", \"failed\"");
    }

    [Theory]
    [InlineData("api/workers/remote-one/lease", """{ "workerId": 5 }""", "the lease request is not valid: workerId: must be a string")]
    [InlineData("api/workers/remote-one/lease", """{ "leaseSeconds": "abc" }""", "the lease request is not valid: leaseSeconds: must be a whole number")]
    [InlineData("api/workers/remote-one/lease", """{ "capabilities": "gpu" }""", "the lease request is not valid: capabilities: must be an array")]
    [InlineData("api/workers/remote-one/leases/abcdef/heartbeat", """{ "progress": "half" }""", "the heartbeat is not valid: progress: must be a number")]
    [InlineData("api/workers/remote-one/leases/abcdef/fail", """{ "permanent": "yes" }""", "the failure is not valid: permanent: must be true or false")]
    public async Task Worker_bodies_of_the_wrong_type_name_the_field_in_the_contract_s_words(string path, string body, string detail)
    {
        using var response = await _server.PostJsonAsync(path, body);

        var problem = await Responses.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_problem_json()
    {
        using var unknown = await _server.Client.GetAsync("api/nothing-here");
        using var wrongMethod = await _server.Client.PutAsync("api/tasks", new StringContent("{}", Encoding.UTF8, "application/json"));

        await Responses.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "there is no route GET /api/nothing-here");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    private async Task AssertNothingStoredAsync()
    {
        var page = await _server.Client.GetFromJsonAsync<JsonElement>("api/tasks?top=1000");
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString()!.StartsWith("bad-", StringComparison.Ordinal) || t.GetProperty("id").GetString() == "too-big");
        var tasks = Path.Combine(_server.DataDirectory, "artifacts", "tasks");
        Assert.False(Directory.Exists(Path.Combine(tasks, "too-big")));
        Assert.Empty(Directory.Exists(tasks) ? Directory.GetDirectories(tasks, "bad-*") : []);
    }
}
