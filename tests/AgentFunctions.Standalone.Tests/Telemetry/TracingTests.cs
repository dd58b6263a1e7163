using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Telemetry;

namespace AgentFunctions.Standalone.Tests.Telemetry;

/// <summary>
/// The Standalone server exporting over OTLP (the standard variables) to a collector on loopback: one trace per task,
/// from the caller's submit through each attempt, runner call, lease, heartbeat, complete and the worker's own span;
/// and metrics that say what /api/metrics says.
/// </summary>
public sealed class TracingTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly Scripts _scripts = new();
    private OtlpReceiver _collector = null!;
    private StandaloneServer _server = null!;

    public async Task InitializeAsync()
    {
        _collector = await OtlpReceiver.StartAsync();

        // flaky: fails its first run for a task, succeeds the next.
        var flaky = $"""
            mark="{_scripts.Directory}/ran-$AGENTQ_TASK_ID"
            if [ ! -f "$mark" ]; then touch "$mark"; echo "not yet" >&2; exit 1; fi
            echo "second time lucky"
            """;
        _server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            Environment = _collector.ExporterSettings("standalone-under-test"),
            Settings = Settings.Of(
                _scripts.Role("flaky", flaky),
                Settings.Retry("flaky", 3, firstDelay: "00:00:00.100"),
                _scripts.Role("broken", "echo 'cannot' >&2; exit 9", new() { ["PermanentExitCodes:0"] = "9" }),
                new Dictionary<string, string> { ["Roles:review:Runner"] = "remote" }),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _collector.DisposeAsync();
    }

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task A_fan_out_task_with_a_retry_is_one_trace_from_the_callers_submit_down_to_the_worker()
    {
        var caller = TraceContexts.NewChildOf(null);
        using (var submit = new HttpRequestMessage(HttpMethod.Post, "api/tasks") { Content = Json("""{ "id": "traced-1", "to": ["flaky", "review"], "instructions": "x" }""") })
        {
            submit.Headers.Add("traceparent", caller.TraceParent);
            using var accepted = await _server.Client.SendAsync(submit);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // The test is the remote worker: it leases, heartbeats and completes under a span of its own.
        var grant = await LeaseAsync("review");
        var attempt = TraceContext.TryParse(grant.TraceParent, grant.TraceState)!;
        var worker = TraceContexts.NewChildOf(attempt);
        var workerStarted = DateTimeOffset.UtcNow;
        using (var beat = await PostAsync($"api/workers/review/leases/{grant.LeaseId}/heartbeat", """{ "progress": 0.5 }""", worker))
        {
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        }

        var result = new AgentResultBody("done", new WorkerSpan { TraceParent = worker.TraceParent, ParentSpanId = attempt.SpanId, Name = "test worker", StartedAt = workerStarted, EndedAt = DateTimeOffset.UtcNow });
        using (var complete = await PostAsync($"api/workers/review/leases/{grant.LeaseId}/complete", JsonSerializer.Serialize(result, CoreJson.Options), worker))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        var view = await _server.WaitForAsync("traced-1");
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(caller.TraceId, view.TraceId);

        var spans = new SpanTree(await _collector.WaitForSpansAsync(
            all => all.Count(s => s.Name == SpanNames.Attempt) >= 3 && all.Any(s => s.Name == "test worker")
                && SpanTree.HasUnder(all, SpanNames.Complete, worker.SpanId) && SpanTree.HasUnder(all, SpanNames.Heartbeat, worker.SpanId),
            Wait));
        var trace = new SpanTree(spans.All.Where(s => s.TraceId == caller.TraceId).ToList());

        var submitted = trace.Single(SpanNames.Submit);
        Assert.Equal("traced-1", submitted[TelemetryTags.TaskId]);
        Assert.True(trace.Descends(submitted, caller.SpanId), "the submit span is not under the caller's span:\n" + trace);

        var firstFlaky = trace.Single(SpanNames.Attempt, s => s[TelemetryTags.Role] == "flaky" && s[TelemetryTags.Attempt] == "1");
        var secondFlaky = trace.Single(SpanNames.Attempt, s => s[TelemetryTags.Role] == "flaky" && s[TelemetryTags.Attempt] == "2");
        var review = trace.Single(SpanNames.Attempt, s => s[TelemetryTags.Role] == "review");
        Assert.All(new[] { firstFlaky, secondFlaky, review }, a => Assert.Equal(submitted.SpanId, a.ParentSpanId));
        Assert.Equal(AttemptOutcomes.Failed, firstFlaky[TelemetryTags.Outcome]);
        Assert.Equal("transient", firstFlaky[TelemetryTags.FailureKind]);
        Assert.True(firstFlaky.Failed);
        Assert.Equal(AttemptOutcomes.Succeeded, secondFlaky[TelemetryTags.Outcome]);
        Assert.Equal(AttemptOutcomes.Succeeded, review[TelemetryTags.Outcome]);

        // Each attempt's runner call is its child; the lease, the worker's span and its calls are under the review attempt.
        Assert.Equal(2, trace.Named("runner command").Count);
        Assert.Single(trace.Named("runner command"), r => r.ParentSpanId == firstFlaky.SpanId);
        Assert.Single(trace.Named("runner command"), r => r.ParentSpanId == secondFlaky.SpanId);
        Assert.Equal(attempt.SpanId, review.SpanId);
        Assert.Equal(review.SpanId, trace.Single(SpanNames.Lease).ParentSpanId);
        var workerSpan = trace.Single("test worker");
        Assert.Equal(worker.SpanId, workerSpan.SpanId);
        Assert.Equal(review.SpanId, workerSpan.ParentSpanId);
        Assert.True(trace.Descends(trace.Single(SpanNames.Heartbeat), worker.SpanId), "heartbeat is not under the worker's span:\n" + trace);
        Assert.True(trace.Descends(trace.Single(SpanNames.Complete), worker.SpanId), "complete is not under the worker's span:\n" + trace);

        // The journal's commits are spans of their own, linked to the operations they committed.
        Assert.Contains(spans.Named(SpanNames.JournalCommit), c => c.Links.Contains((caller.TraceId, submitted.SpanId)));
    }

    [Fact]
    public async Task Approval_waits_and_dead_lettering_are_spans_of_the_tasks_trace()
    {
        await _server.SubmitAsync("""{ "id": "traced-2", "to": ["broken"], "instructions": "x", "requiresApproval": true }""");
        await _server.WaitForAsync("traced-2", v => v.State == AgentTaskStatus.AwaitingApproval);
        using (var approve = await _server.PostJsonAsync("api/tasks/traced-2/approve", """{ "by": "ops" }"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        }

        var view = await _server.WaitForAsync("traced-2");
        Assert.Equal(AgentTaskStatus.Failed, view.State);

        var spans = await _collector.WaitForSpansAsync(all => all.Any(s => s.Name == SpanNames.DeadLetter && s[TelemetryTags.TaskId] == "traced-2"), Wait);
        var trace = new SpanTree(spans.Where(s => s.TraceId == view.TraceId).ToList());
        var submitted = trace.Single(SpanNames.Submit);
        var wait = trace.Single(SpanNames.ApprovalWait);
        Assert.Equal(submitted.SpanId, wait.ParentSpanId);
        Assert.Equal("approve", wait[TelemetryTags.Decision]);
        Assert.Equal("ops", wait[TelemetryTags.DecidedBy]);
        var deadLetter = trace.Single(SpanNames.DeadLetter);
        Assert.Equal(submitted.SpanId, deadLetter.ParentSpanId);
        Assert.Equal(view.Roles[0].DeadLetterId, deadLetter[TelemetryTags.DeadLetterId]);
        Assert.Equal("permanent", trace.Single(SpanNames.Attempt)[TelemetryTags.FailureKind]);
        var record = await _server.Client.GetFromJsonAsync<JsonElement>($"api/deadletters/{view.Roles[0].DeadLetterId}", CoreJson.Options);
        Assert.Equal(view.TraceId, TraceContext.TryParse(record.GetProperty("traceparent").GetString())!.TraceId);
    }

    [Fact]
    public async Task Exported_metrics_say_what_the_metrics_route_says()
    {
        await _server.SubmitAsync("""{ "id": "measured-1", "to": ["flaky"], "instructions": "x" }""");
        await _server.SubmitAsync("""{ "id": "measured-2", "to": ["broken"], "instructions": "x" }""");
        await _server.SubmitAsync("""{ "id": "measured-3", "to": ["review"], "instructions": "x" }""");
        await _server.WaitForAsync("measured-1");
        await _server.WaitForAsync("measured-2");

        // Nothing changes from here on: the next export measures what the route answers.
        var snapshot = (await _server.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options))!;
        var exported = await _collector.NextMetricsAsync(Wait);

        double Point(string metric, params (string Key, string Value)[] tags) =>
            exported.Single(p => p.Metric == metric && tags.All(t => p[t.Key] == t.Value)).Value;
        Assert.Equal(snapshot.Completed, Point("agentfunctions.tasks.completed"));
        Assert.Equal(snapshot.Failed, Point("agentfunctions.tasks.failed"));
        Assert.Equal(snapshot.DeadLettered, Point("agentfunctions.dead_letters"));
        Assert.Equal(snapshot.Tasks["running"], Point("agentfunctions.tasks", ("state", "running")));
        foreach (var role in snapshot.Roles)
        {
            Assert.Equal(role.QueueDepth, Point("agentfunctions.role.queue_depth", ("role", role.Role)));
            Assert.Equal(role.InFlight, Point("agentfunctions.role.in_flight", ("role", role.Role)));
            Assert.Equal(role.Retrying, Point("agentfunctions.role.retrying", ("role", role.Role)));
            Assert.Equal(role.DeadLettered, Point("agentfunctions.role.dead_lettered", ("role", role.Role)));
            Assert.Equal(role.Succeeded, Point("agentfunctions.role.succeeded", ("role", role.Role)));
            Assert.Equal(role.FailedAttempts, Point("agentfunctions.role.failed_attempts", ("role", role.Role)));
            Assert.Equal(role.AttemptLatencyMs.Count, Point("agentfunctions.role.attempt_latency.count", ("role", role.Role)));
        }

        Assert.Equal(1, snapshot.Roles.Single(r => r.Role == "review").QueueDepth);
        Assert.Equal(1, snapshot.Roles.Single(r => r.Role == "flaky").FailedAttempts);

        // The attempt histogram counts each attempt as it ended, by outcome.
        var durations = exported.Where(p => p.Metric == "agentfunctions.attempt.duration").ToList();
        Assert.Equal(1, durations.Single(p => p["role"] == "flaky" && p["outcome"] == AttemptOutcomes.Failed).Count);
        Assert.Equal(1, durations.Single(p => p["role"] == "flaky" && p["outcome"] == AttemptOutcomes.Succeeded).Count);

        // The Prometheus text is read from the same instruments.
        var text = await _server.Client.GetStringAsync("api/metrics?format=prometheus");
        Assert.Contains("agentfunctions_role_succeeded_total{role=\"flaky\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("agentfunctions_role_queue_depth{role=\"review\"} 1\n", text, StringComparison.Ordinal);
    }

    private async Task<LeaseGrant> LeaseAsync(string role)
    {
        using var response = await _server.PostJsonAsync($"api/workers/{role}/lease?wait=20", """{ "workerId": "tracing-test" }""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var grant = (await response.Content.ReadFromJsonAsync<LeaseGrant>(CoreJson.Options))!;
        Assert.NotNull(TraceContext.TryParse(grant.TraceParent));
        Assert.Equal(grant.Input.TraceParent, grant.TraceParent);
        return grant;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json, TraceContext trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        request.Headers.Add("traceparent", trace.TraceParent);
        return await _server.Client.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed record AgentResultBody(string Result, WorkerSpan WorkerSpan)
    {
        public string Status => "completed";
    }
}
