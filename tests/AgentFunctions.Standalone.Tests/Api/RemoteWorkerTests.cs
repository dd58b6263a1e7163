using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class RemoteWorkerTests : IAsyncLifetime
{
    private StandaloneServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await StandaloneServer.StartAsync(Settings.Of(
            new Dictionary<string, string>
            {
                ["Roles:review:Runner"] = "remote",
                ["Roles:review:LeaseSeconds"] = "30",
                ["Roles:quick:Runner"] = "remote",
                ["Roles:quick:LeaseSeconds"] = "1",
                ["Roles:idle:Runner"] = "remote",
                ["Roles:local:Runner"] = "echo",
            },
            Settings.Retry("review", 3, firstDelay: "00:00:00.100"),
            Settings.Retry("quick", 3, firstDelay: "00:00:00.100")));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Worker_leases_heartbeats_and_completes_with_artifacts()
    {
        await _server.SubmitAsync("""{ "id": "remote-1", "to": ["review"], "instructions": "Review the diff", "context": "diff --git a b" }""");

        var lease = await LeaseAsync("review", "worker-a");
        Assert.Equal("remote-1", lease.GetProperty("taskId").GetString());
        Assert.Equal("review", lease.GetProperty("role").GetString());
        Assert.Equal(1, lease.GetProperty("attempt").GetInt32());
        Assert.Contains("Review the diff", lease.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.Equal("diff --git a b", lease.GetProperty("input").GetProperty("context").GetString());
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        var expires = lease.GetProperty("leaseExpiresAt").GetDateTimeOffset();
        Assert.Equal(RoleStatus.Running, (await _server.GetTaskAsync("remote-1")).Roles[0].State);

        await Task.Delay(20);
        using var heartbeat = await _server.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", """{ "progress": 0.5, "message": "halfway" }""");
        var beat = await Responses.ReadJsonAsync(heartbeat);
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.False(beat.GetProperty("canceled").GetBoolean());
        Assert.True(beat.GetProperty("leaseExpiresAt").GetDateTimeOffset() > expires);
        var running = await _server.GetTaskAsync("remote-1");
        Assert.Equal(0.5, running.Roles[0].Progress);
        Assert.Equal("halfway", running.Roles[0].ProgressMessage);

        using var complete = await _server.PostJsonAsync($"api/workers/review/leases/{leaseId}/complete", """
            { "status": "completed", "summary": "LGTM", "result": "# Review\nNo issues.",
              "artifacts": [ { "name": "notes/review.txt", "content": "fine" }, { "name": "blob.bin", "content": "AAEC", "encoding": "base64" } ],
              "usage": { "inputTokens": 10, "outputTokens": 5, "costUsd": 0.01 } }
            """);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);

        var view = await _server.WaitForAsync("remote-1");
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal("LGTM", view.Roles[0].Summary);
        Assert.Equal(["tasks/remote-1/artifacts/review/notes/review.txt", "tasks/remote-1/artifacts/review/blob.bin"], view.Roles[0].Artifacts);
        Assert.Equal(10, view.Usage!.InputTokens);
        using var blob = await _server.Client.GetAsync("api/tasks/remote-1/artifacts/artifacts/review/blob.bin");
        Assert.Equal(new byte[] { 0, 1, 2 }, await blob.Content.ReadAsByteArrayAsync());

        using var late = await _server.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", "{}");
        await Responses.AssertProblemAsync(late, HttpStatusCode.Gone, $"lease '{leaseId}' is gone");
    }

    [Fact]
    public async Task Worker_failure_is_retried_and_a_permanent_one_is_dead_lettered()
    {
        await _server.SubmitAsync("""{ "id": "remote-2", "to": ["review"], "instructions": "x" }""");

        var first = await LeaseAsync("review", "worker-b");
        using var fail = await _server.PostJsonAsync($"api/workers/review/leases/{first.GetProperty("leaseId").GetString()}/fail", """{ "reason": "model overloaded" }""");
        Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        var retrying = await _server.GetTaskAsync("remote-2");
        Assert.Equal(RoleStatus.Retrying, retrying.Roles[0].State);
        Assert.Equal("model overloaded", retrying.Roles[0].LastError);

        var second = await LeaseAsync("review", "worker-b", wait: 5);
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        using var permanent = await _server.PostJsonAsync($"api/workers/review/leases/{second.GetProperty("leaseId").GetString()}/fail", """{ "reason": "repository not found", "permanent": true }""");
        Assert.Equal(HttpStatusCode.OK, permanent.StatusCode);

        var view = await _server.WaitForAsync("remote-2");
        Assert.Equal(AgentTaskStatus.Failed, view.State);
        Assert.Equal(RoleStatus.DeadLettered, view.Roles[0].State);
        Assert.Equal(2, view.Roles[0].Attempt);
    }

    [Fact]
    public async Task Expired_lease_is_a_transient_failure_and_the_attempt_is_retried()
    {
        await _server.SubmitAsync("""{ "id": "remote-3", "to": ["quick"], "instructions": "x" }""");
        var first = await LeaseAsync("quick", "sleepy");
        var firstId = first.GetProperty("leaseId").GetString();

        // No heartbeat: after its 1 s lease the attempt fails and a second one becomes leasable. The second worker asks
        // for a longer lease, so a slow machine cannot let it expire too before it hands in its result.
        var second = await _server.LeaseAsync("quick", """{ "workerId": "awake", "waitSeconds": 10, "leaseSeconds": 60 }""");

        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        var view = await _server.GetTaskAsync("remote-3");
        Assert.Contains("lease expired", view.Roles[0].LastError, StringComparison.Ordinal);
        using var stale = await _server.PostJsonAsync($"api/workers/quick/leases/{firstId}/complete", """{ "status": "completed", "result": "too late" }""");
        await Responses.AssertProblemAsync(stale, HttpStatusCode.Gone, "is gone");
        using var done = await _server.PostJsonAsync($"api/workers/quick/leases/{second.GetProperty("leaseId").GetString()}/complete", """{ "status": "completed", "result": "on time" }""");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(AgentTaskStatus.Completed, (await _server.WaitForAsync("remote-3")).State);

        // The expired attempt counts as the role's failed attempt, as a failure the worker reported would.
        var metrics = await _server.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options);
        var quick = Assert.Single(metrics!.Roles, r => r.Role == "quick");
        Assert.Equal(1, quick.FailedAttempts);
        Assert.Equal(1, quick.Succeeded);
        Assert.Equal(2, quick.AttemptLatencyMs.Count);
        Assert.Equal(0.5, quick.FailureRatioLastHour);
    }

    [Fact]
    public async Task Canceled_task_is_reported_on_the_next_heartbeat_and_a_late_result_is_discarded()
    {
        await _server.SubmitAsync("""{ "id": "remote-4", "to": ["review"], "instructions": "x" }""");
        var lease = await LeaseAsync("review", "worker-c");
        var leaseId = lease.GetProperty("leaseId").GetString();

        using var cancel = await _server.PostJsonAsync("api/tasks/remote-4/cancel", """{ "reason": "no longer needed" }""");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await _server.WaitForAsync("remote-4");

        using var heartbeat = await _server.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", "{}");
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.True((await Responses.ReadJsonAsync(heartbeat)).GetProperty("canceled").GetBoolean());

        using var complete = await _server.PostJsonAsync($"api/workers/review/leases/{leaseId}/complete", """{ "status": "completed", "result": "finished anyway" }""");
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var view = await _server.GetTaskAsync("remote-4");
        Assert.Equal(AgentTaskStatus.Canceled, view.State);
        Assert.Null(view.Roles[0].ResultRef);
        Assert.Equal("finished anyway", await _server.Client.GetStringAsync("api/tasks/remote-4/artifacts/discarded/review/attempt-1/results_review.md"));
        using var real = await _server.Client.GetAsync("api/tasks/remote-4/artifacts/results/review.md");
        Assert.Equal(HttpStatusCode.NotFound, real.StatusCode);
    }

    [Fact]
    public async Task Released_lease_offers_the_same_attempt_again_without_counting_it()
    {
        await _server.SubmitAsync("""{ "id": "remote-7", "to": ["review"], "instructions": "x" }""");
        var first = await LeaseAsync("review", "leaving");
        using var beat = await _server.PostJsonAsync($"api/workers/review/leases/{first.GetProperty("leaseId").GetString()}/heartbeat", """{ "progress": 0.7, "message": "half way" }""");
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);

        using var release = await _server.PostJsonAsync($"api/workers/review/leases/{first.GetProperty("leaseId").GetString()}/release", "{}");
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);

        // Handed back, the role waits for a worker again: not running, nothing counted, no stale progress.
        var waiting = (await _server.GetTaskAsync("remote-7")).Roles[0];
        Assert.Equal((RoleStatus.Pending, 0, (double?)null, (string?)null), (waiting.State, waiting.Attempt, waiting.Progress, waiting.ProgressMessage));

        var second = await LeaseAsync("review", "arriving");
        Assert.Equal("remote-7", second.GetProperty("taskId").GetString());
        Assert.Equal(1, second.GetProperty("attempt").GetInt32());
        using var complete = await _server.PostJsonAsync($"api/workers/review/leases/{second.GetProperty("leaseId").GetString()}/complete", """{ "status": "completed", "result": "ok" }""");
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var view = await _server.WaitForAsync("remote-7");
        Assert.Equal(1, view.Roles[0].Attempt);
        var history = await _server.Client.GetStringAsync("api/tasks/remote-7/history");
        Assert.Contains("\"type\":\"attempt_returned\",\"actor\":\"leaving\"", history, StringComparison.Ordinal);
        using var again = await _server.PostJsonAsync($"api/workers/review/leases/{first.GetProperty("leaseId").GetString()}/release", "{}");
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
    }

    [Fact]
    public async Task Worker_may_ask_for_a_shorter_lease_than_the_role_gives()
    {
        await _server.SubmitAsync("""{ "id": "remote-8", "to": ["review"], "instructions": "x" }""");

        using var response = await _server.PostJsonAsync("api/workers/review/lease", """{ "workerId": "brief", "waitSeconds": 5, "leaseSeconds": 1 }""");
        var lease = await Responses.ReadJsonAsync(response);
        Assert.Equal(1, lease.GetProperty("leaseSeconds").GetInt32());

        var second = await LeaseAsync("review", "patient", wait: 10);
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        using var tooShort = await _server.PostJsonAsync("api/workers/review/lease", """{ "leaseSeconds": 0 }""");
        await Responses.AssertProblemAsync(tooShort, HttpStatusCode.BadRequest, "leaseSeconds: must be a whole number of seconds between 1 and 14400");
        using var tooLong = await _server.PostJsonAsync("api/workers/review/lease", """{ "leaseSeconds": 14401 }""");
        await Responses.AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "leaseSeconds: 14401 is longer than role 'review' allows (14400 s, Roles:review:MaxLeaseSeconds)");
    }

    [Fact]
    public async Task Lease_answers_204_when_there_is_no_work_and_long_polls_until_some_arrives()
    {
        using var empty = await _server.Client.PostAsync("api/workers/idle/lease", null);
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);

        var clock = Stopwatch.StartNew();
        var waiting = _server.Client.PostAsync("api/workers/idle/lease?wait=10", null);
        await Task.Delay(300);
        await _server.SubmitAsync("""{ "id": "remote-5", "to": ["idle"], "instructions": "x" }""");
        using var leased = await waiting;

        Assert.Equal(HttpStatusCode.OK, leased.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(9));
        Assert.Equal("remote-5", (await Responses.ReadJsonAsync(leased)).GetProperty("taskId").GetString());
    }

    [Fact]
    public async Task Leasing_a_role_that_is_not_remote_is_refused()
    {
        using var local = await _server.Client.PostAsync("api/workers/local/lease", null);
        using var unknown = await _server.Client.PostAsync("api/workers/ghost/lease", null);
        using var invalid = await _server.Client.PostAsync("api/workers/Bad_Role/lease", null);

        await Responses.AssertProblemAsync(local, HttpStatusCode.NotFound, "role 'local' is not a remote role");
        await Responses.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "role 'ghost' is not configured");
        await Responses.AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "is not a valid role name");
    }

    [Fact]
    public async Task Complete_with_an_artifact_name_that_climbs_out_is_refused()
    {
        await _server.SubmitAsync("""{ "id": "remote-6", "to": ["review"], "instructions": "x" }""");
        var lease = await LeaseAsync("review", "worker-d");

        using var complete = await _server.PostJsonAsync(
            $"api/workers/review/leases/{lease.GetProperty("leaseId").GetString()}/complete",
            """{ "status": "completed", "result": "x", "artifacts": [ { "name": "../../escape.txt", "content": "x" } ] }""");

        await Responses.AssertProblemAsync(complete, HttpStatusCode.BadRequest, "artifacts[0].name: the path must not contain '.' or '..' segments");
        Assert.False(File.Exists(Path.Combine(_server.DataDirectory, "artifacts", "tasks", "escape.txt")));
        Assert.Equal(RoleStatus.Running, (await _server.GetTaskAsync("remote-6")).Roles[0].State);
    }

    private Task<JsonElement> LeaseAsync(string role, string workerId, int wait = 5) =>
        _server.LeaseAsync(role, $$"""{ "workerId": "{{workerId}}", "waitSeconds": {{wait}} }""");
}
