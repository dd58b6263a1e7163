using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class TaskLifecycleTests : IAsyncLifetime, IDisposable
{
    private readonly Scripts _scripts = new();
    private StandaloneServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await StandaloneServer.StartAsync(Settings.Of(
            Settings.Echo("implementation", "review", "docs"),
            // Echoes its prompt back, so a later stage shows what it was given.
            _scripts.Role("reader", "cat"),
            _scripts.Role("slow", "sleep 2; echo done")));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Submit_answers_202_with_location_and_the_durable_management_payload()
    {
        using var response = await _server.PostJsonAsync("api/tasks", """{ "id": "lifecycle-1", "to": ["implementation"], "instructions": "x" }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var payload = await Responses.ReadJsonAsync(response);
        var status = new Uri(_server.BaseAddress, "runtime/webhooks/durabletask/instances/lifecycle-1").ToString();
        Assert.Equal(status, response.Headers.Location!.ToString());
        Assert.Equal("lifecycle-1", payload.GetProperty("id").GetString());
        Assert.Equal(status, payload.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(status + "/raiseEvent/{eventName}", payload.GetProperty("sendEventPostUri").GetString());
        Assert.Equal(status + "/terminate?reason={text}", payload.GetProperty("terminatePostUri").GetString());
        Assert.Equal(status, payload.GetProperty("purgeHistoryDeleteUri").GetString());
    }

    [Fact]
    public async Task Fan_out_task_completes_with_every_role_and_its_artifacts()
    {
        await _server.SubmitAsync("""{ "id": "fan-out", "to": ["implementation", "review", "docs"], "type": "code", "from": "coordinator", "instructions": "Add a README" }""");

        var view = await _server.WaitForAsync("fan-out");

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal("code", view.Type);
        Assert.Equal("coordinator", view.From);
        Assert.Equal(["implementation", "review", "docs"], view.Roles.Select(r => r.Role));
        Assert.All(view.Roles, role =>
        {
            Assert.Equal(RoleStatus.Succeeded, role.State);
            Assert.Equal(1, role.Attempt);
            Assert.Equal($"tasks/fan-out/results/{role.Role}.md", role.ResultRef);
        });
        Assert.Equal(AgentTaskStatus.Completed, view.Outcome!.State);

        var result = await _server.Client.GetFromJsonAsync<TaskResultDocument>("api/tasks/fan-out/result", CoreJson.Options);
        Assert.Equal(AgentTaskStatus.Completed, result!.State);
        Assert.Equal(3, result.Roles.Count);

        var listing = await _server.Client.GetFromJsonAsync<JsonElement>("api/tasks/fan-out/artifacts");
        var paths = listing.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()).ToList();
        Assert.Contains("spec.json", paths);
        Assert.Contains("result.json", paths);
        Assert.Contains("results/review.md", paths);
        Assert.Contains("results/review.json", paths);
    }

    [Fact]
    public async Task Stages_run_in_order_and_the_later_stage_sees_the_earlier_result()
    {
        await _server.SubmitAsync("""{ "id": "staged", "stages": [["implementation"], ["reader"]], "instructions": "Build it" }""");

        var view = await _server.WaitForAsync("staged");

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        var implementation = view.Roles.Single(r => r.Role == "implementation");
        var reader = view.Roles.Single(r => r.Role == "reader");
        Assert.True(reader.StartedAt >= implementation.FinishedAt);
        using var download = await _server.Client.GetAsync("api/tasks/staged/artifacts/results/reader.md");
        var prompt = await download.Content.ReadAsStringAsync();
        Assert.Contains("## Results of earlier stages", prompt, StringComparison.Ordinal);
        Assert.Contains("tasks/staged/results/implementation.md", prompt, StringComparison.Ordinal);
        Assert.Contains("echo: implementation handled task staged", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Artifacts_are_downloaded_as_untrusted_attachments()
    {
        await _server.SubmitAsync("""{ "id": "download", "to": ["implementation"], "instructions": "x", "context": "# Context\nsome notes" }""");
        await _server.WaitForAsync("download");

        using var response = await _server.Client.GetAsync("api/tasks/download/artifacts/context.md");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("# Context\nsome notes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_answers_a_get_route_with_its_status_and_headers_and_no_body()
    {
        await _server.SubmitAsync("""{ "id": "headed", "to": ["implementation"], "instructions": "x", "context": "# Context\nsome notes" }""");
        await _server.WaitForAsync("headed");

        using var artifact = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "api/tasks/headed/artifacts/context.md"));
        using var health = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "api/health"));
        using var unknown = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "api/tasks/no-such-task"));

        Assert.Equal(HttpStatusCode.OK, artifact.StatusCode);
        Assert.Equal(20, artifact.Content.Headers.ContentLength);
        Assert.Equal("attachment", artifact.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Empty(await artifact.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(await health.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A route without GET stays 405 for HEAD too.
        using var approve = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "api/tasks/headed/approve"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, approve.StatusCode);
    }

    [Fact]
    public async Task Result_is_a_conflict_until_the_task_ends()
    {
        await _server.SubmitAsync("""{ "id": "not-yet", "to": ["slow"], "instructions": "x" }""");

        using var early = await _server.Client.GetAsync("api/tasks/not-yet/result");

        await Responses.AssertProblemAsync(early, HttpStatusCode.Conflict, "task 'not-yet' has not finished yet");
        await _server.WaitForAsync("not-yet");
        using var late = await _server.Client.GetAsync("api/tasks/not-yet/result");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
    }

    [Fact]
    public async Task Identical_resubmission_returns_the_existing_task_and_a_different_spec_conflicts()
    {
        const string spec = """{ "id": "idem", "to": ["implementation"], "instructions": "same" }""";
        await _server.SubmitAsync(spec);

        using var again = await _server.PostJsonAsync("api/tasks", spec);
        using var different = await _server.PostJsonAsync("api/tasks", """{ "id": "idem", "to": ["implementation"], "instructions": "other" }""");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("idem", (await Responses.ReadJsonAsync(again)).GetProperty("id").GetString());
        await Responses.AssertProblemAsync(different, HttpStatusCode.Conflict, "task 'idem' already exists with a different spec");
    }

    [Fact]
    public async Task Submit_without_an_id_gets_one()
    {
        using var response = await _server.PostJsonAsync("api/tasks", """{ "to": ["implementation"], "instructions": "x" }""");

        var id = (await Responses.ReadJsonAsync(response)).GetProperty("id").GetString()!;
        Assert.StartsWith("t-", id, StringComparison.Ordinal);
        Assert.Equal(AgentTaskStatus.Completed, (await _server.WaitForAsync(id)).State);
    }

    [Fact]
    public async Task Durable_status_url_answers_202_while_running_and_200_when_completed()
    {
        await _server.SubmitAsync("""{ "id": "durable-status", "to": ["slow"], "instructions": "x" }""");

        using var running = await _server.Client.GetAsync("runtime/webhooks/durabletask/instances/durable-status");
        var runningBody = await Responses.ReadJsonAsync(running);
        Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
        Assert.Equal("Running", runningBody.GetProperty("runtimeStatus").GetString());
        Assert.Equal("AgentTaskOrchestrator", runningBody.GetProperty("name").GetString());
        Assert.Equal("durable-status", runningBody.GetProperty("instanceId").GetString());
        Assert.Equal("x", runningBody.GetProperty("input").GetProperty("instructions").GetString());
        Assert.Equal("durable-status", runningBody.GetProperty("customStatus").GetProperty("id").GetString());

        await _server.WaitForAsync("durable-status");
        using var done = await _server.Client.GetAsync("runtime/webhooks/durabletask/instances/durable-status");
        var doneBody = await Responses.ReadJsonAsync(done);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Completed", doneBody.GetProperty("runtimeStatus").GetString());
        Assert.Equal("completed", doneBody.GetProperty("output").GetProperty("state").GetString());
        Assert.True(doneBody.GetProperty("lastUpdatedTime").GetDateTimeOffset() >= doneBody.GetProperty("createdTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task Purge_removes_a_finished_task_and_its_artifacts()
    {
        await _server.SubmitAsync("""{ "id": "purge-me", "to": ["implementation"], "instructions": "x" }""");
        await _server.WaitForAsync("purge-me");

        using var purge = await _server.Client.DeleteAsync("runtime/webhooks/durabletask/instances/purge-me");

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal(1, (await Responses.ReadJsonAsync(purge)).GetProperty("instancesDeleted").GetInt32());
        using var after = await _server.Client.GetAsync("runtime/webhooks/durabletask/instances/purge-me");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "artifacts", "tasks", "purge-me")));
    }

    [Fact]
    public async Task Tasks_are_listed_newest_first_with_filters_and_continuation()
    {
        for (var i = 0; i < 5; i++)
        {
            await _server.SubmitAsync($$"""{ "id": "list-{{i}}", "to": ["docs"], "instructions": "x" }""");
        }

        await _server.WaitForAsync("list-4");
        var seen = new List<string>();
        string? token = null;
        do
        {
            var url = "api/tasks?role=docs&state=completed&top=2" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await _server.Client.GetFromJsonAsync<JsonElement>(url);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);

        Assert.Equal(["list-4", "list-3", "list-2", "list-1", "list-0"], seen.Where(id => id.StartsWith("list-", StringComparison.Ordinal)));
    }
}
