using System.Net;
using System.Text.Json;
using AgentFunctions.Contract.Tests.Support;
using static AgentFunctions.Contract.Tests.Support.BothEngines;

namespace AgentFunctions.Contract.Tests.Scenarios;

/// <summary>
/// Routing and resilience over real HTTP, the same scenarios against the Standalone server and the Functions engine on
/// the real Durable runtime: capability routing and priority, the circuit breaker, secret scanning, task history,
/// health alerts and the scaling hint.
/// </summary>
[Collection(RoutingCollection.Name)]
public sealed class RoutingContractTests(RoutingEngines engines)
{
    private static readonly string AwsKey = "AKIA" + "Q3EGRTYW7MZNKX2P";
    private static readonly string GitHubToken = "ghp_" + new string('R', 18) + new string('7', 18);

    public static TheoryData<string> Engines => new() { StandaloneEngine, FunctionsEngine };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_failing_command_role_opens_its_breaker_holds_the_queue_probes_and_closes_once_fixed_without_dead_letters(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var ids = Enumerable.Range(1, 5).Select(i => ApiSession.NewId($"cb{i}")).ToList();
        foreach (var id in ids)
        {
            (await api.PostAsync("api/tasks", new { id, to = new[] { "fragile" }, instructions = "Call the flaky dependency." })).Is(HttpStatusCode.Accepted);
        }

        // Open: attempts wait, uncounted, and say why; metrics, Prometheus and health show it.
        var held = await WaitAsync(api, async () =>
        {
            foreach (var id in ids)
            {
                var role = (await api.GetAsync($"api/tasks/{id}")).Json.GetProperty("roles")[0];
                if (role.TryGetProperty("waitReason", out var reason) && reason.GetString()!.Contains("held by the circuit breaker of role 'fragile'", StringComparison.Ordinal))
                {
                    return id;
                }
            }

            return null;
        }, "an attempt held by the open breaker");
        var circuit = Role(await MetricsAsync(api), "fragile").GetProperty("circuit");
        Assert.Contains(circuit.GetProperty("state").GetString(), new[] { "open", "half_open" });
        Assert.True(circuit.GetProperty("openings").GetInt64() >= 1);
        Assert.Contains("agentfunctions_role_circuit_open{role=\"fragile\"} 1", (await api.GetAsync("api/metrics?format=prometheus")).Is(HttpStatusCode.OK).Body, StringComparison.Ordinal);
        var health = (await api.GetAsync("api/health")).Is(HttpStatusCode.OK).Json;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("role 'fragile': the circuit breaker is", StringComparison.Ordinal));

        // It probes after each break; a probe that fails opens it again.
        await WaitAsync(api, async () => Role(await MetricsAsync(api), "fragile").GetProperty("circuit").GetProperty("openings").GetInt64() >= 2 ? "reopened" : null, "a failed probe opening the breaker again");

        // The dependency is back: the next probe closes it and every held attempt runs.
        await File.WriteAllTextAsync(engines.FixedMark(engine), "fixed");
        foreach (var id in ids)
        {
            var view = await api.WaitForTaskAsync(id, v => v.GetProperty("state").GetString() is "completed" or "failed", "its end");
            Assert.Equal("completed", view.GetProperty("state").GetString());
            var role = view.GetProperty("roles")[0];
            Assert.InRange(role.GetProperty("attempt").GetInt32(), 1, 9);
            Assert.False(role.TryGetProperty("deadLetterId", out var dl) && dl.ValueKind == JsonValueKind.String, $"[{engine}] {id} was dead-lettered");
        }

        var closed = Role(await MetricsAsync(api), "fragile");
        Assert.Equal("closed", closed.GetProperty("circuit").GetProperty("state").GetString());
        Assert.Equal(0, closed.GetProperty("deadLettered").GetInt64());
        Assert.Contains("agentfunctions_role_circuit_open{role=\"fragile\"} 0", (await api.GetAsync("api/metrics?format=prometheus")).Body, StringComparison.Ordinal);

        // The hold and its end are in the history of the attempt they held.
        var history = await HistoryAsync(api, held);
        var types = history.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("circuit_held", types);
        Assert.Contains("circuit_released", types);
        Assert.True(types.IndexOf("circuit_held") < types.LastIndexOf("circuit_released"), string.Join(", ", types));
        var hold = history.First(e => e.GetProperty("type").GetString() == "circuit_held");
        Assert.Equal(("circuit-breaker", "fragile"), (hold.GetProperty("actor").GetString(), hold.GetProperty("role").GetString()));
        Assert.True(hold.TryGetProperty("until", out _));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Leases_hand_out_only_attempts_the_worker_can_take_highest_priority_first(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var low = ApiSession.NewId("plow");
        var normal = ApiSession.NewId("pnorm");
        var gpuOnly = ApiSession.NewId("pgpu");
        var critical = ApiSession.NewId("pcrit");
        await api.PostAsync("api/tasks", new { id = low, to = new[] { "gpu" }, instructions = "x", priority = "low" });
        await api.PostAsync("api/tasks", new { id = normal, to = new[] { "gpu" }, instructions = "x" });
        await api.PostAsync("api/tasks", new { id = gpuOnly, to = new[] { "gpu" }, instructions = "x", requires = new[] { "cuda" } });
        await api.PostAsync("api/tasks", new { id = critical, to = new[] { "gpu" }, instructions = "x", priority = "critical" });
        await WaitAsync(api, async () => Role(await MetricsAsync(api), "gpu").GetProperty("queueDepth").GetInt32() >= 4 ? "queued" : null, "four attempts queued");
        Assert.Equal("waiting for a worker with: cuda", (await api.GetAsync($"api/tasks/{gpuOnly}")).Json.GetProperty("roles")[0].GetProperty("waitReason").GetString());

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var lease = (await api.PostAsync("api/workers/gpu/lease", new { workerId = "plain-worker" })).Is(HttpStatusCode.OK).Json;
            order.Add(lease.GetProperty("taskId").GetString()!);
            (await api.PostAsync($"api/workers/gpu/leases/{lease.GetProperty("leaseId").GetString()}/complete", new { status = "completed", summary = "done", result = "ok" })).Is(HttpStatusCode.OK);
        }

        Assert.Equal([critical, normal, low], order);
        (await api.PostAsync("api/workers/gpu/lease", new { workerId = "plain-worker" })).Is(HttpStatusCode.NoContent);

        var cuda = (await api.PostAsync("api/workers/gpu/lease", new { workerId = "cuda-worker", capabilities = new[] { "cuda", "fp16" } })).Is(HttpStatusCode.OK).Json;
        Assert.Equal(gpuOnly, cuda.GetProperty("taskId").GetString());
        Assert.Equal(["cuda"], cuda.GetProperty("input").GetProperty("requires").EnumerateArray().Select(r => r.GetString()));
        (await api.PostAsync($"api/workers/gpu/leases/{cuda.GetProperty("leaseId").GetString()}/complete", new { status = "completed", result = "ok" })).Is(HttpStatusCode.OK);
        foreach (var id in new[] { low, normal, gpuOnly, critical })
        {
            await api.WaitForStateAsync(id, "completed");
        }

        var started = (await HistoryAsync(api, gpuOnly)).First(e => e.GetProperty("type").GetString() == "attempt_started");
        Assert.Equal("cuda-worker", started.GetProperty("actor").GetString());
        (await api.PostAsync("api/workers/gpu/lease", new { workerId = "w", capabilities = new[] { "Not Valid" } })).IsProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_task_whose_requirements_no_runner_meets_waits_visibly_and_bad_requirements_are_refused(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var waiting = ApiSession.NewId("needs");
        var served = ApiSession.NewId("served");
        (await api.PostAsync("api/tasks", new { id = waiting, to = new[] { "needy" }, instructions = "x", requires = new[] { "database" } })).Is(HttpStatusCode.Accepted);
        (await api.PostAsync("api/tasks", new { id = served, stages = new object[] { new { roles = new[] { "needy" }, requires = new[] { "python" } } }, instructions = "x" })).Is(HttpStatusCode.Accepted);

        await api.WaitForStateAsync(served, "completed");
        var view = await api.WaitForTaskAsync(waiting, v => v.GetProperty("roles")[0].TryGetProperty("waitReason", out _), "its wait reason");
        var role = view.GetProperty("roles")[0];
        Assert.Equal(("pending", "waiting for a worker with: database"), (role.GetProperty("state").GetString(), role.GetProperty("waitReason").GetString()));
        Assert.Equal(["database"], role.GetProperty("requires").EnumerateArray().Select(r => r.GetString()));
        (await api.PostAsync($"api/tasks/{waiting}/cancel", new { by = "test", reason = "nobody can" })).Is(HttpStatusCode.Accepted);

        var problem = (await api.PostAsync("api/tasks", new { to = new[] { "plain" }, instructions = "x", requires = new[] { "GPU", "gpu", "gpu" } })).IsProblem(HttpStatusCode.BadRequest).Json;
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["requires[0]", "requires[2]"], errors);
        (await api.PostAsync("api/tasks", new { to = new[] { "plain" }, instructions = "x", requires = Enumerable.Range(0, 9).Select(i => $"c{i}") })).IsProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_spec_carrying_a_secret_is_refused_with_422_naming_kind_and_position_and_nothing_is_stored(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("leak");

        var answer = (await api.PostAsync("api/tasks", new { id, to = new[] { "plain" }, instructions = "Deploy it.", context = "# Notes\nuse key " + AwsKey + " for S3" }))
            .IsProblem(HttpStatusCode.UnprocessableEntity);

        Assert.DoesNotContain(AwsKey, answer.Body, StringComparison.Ordinal);
        var finding = Assert.Single(answer.Json.GetProperty("findings").EnumerateArray());
        Assert.Equal(("context", "aws_access_key_id", 2, 9), (finding.GetProperty("field").GetString(), finding.GetProperty("kind").GetString(), finding.GetProperty("line").GetInt32(), finding.GetProperty("column").GetInt32()));
        Assert.Contains("aws_access_key_id", answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await api.GetAsync($"api/tasks/{id}")).IsProblem(HttpStatusCode.NotFound);
        (await api.GetAsync($"api/tasks/{id}/artifacts")).IsProblem(HttpStatusCode.NotFound);

        var payload = (await api.PostAsync("api/tasks", new { to = new[] { "plain" }, payload = new { fmt = "json", content = new { auth = new { token = GitHubToken } } } })).IsProblem(HttpStatusCode.UnprocessableEntity).Json;
        Assert.Equal("payload.content.auth.token", payload.GetProperty("findings")[0].GetProperty("field").GetString());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_worker_result_with_a_secret_is_stored_redacted_and_the_view_warns(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("redact");
        await api.PostAsync("api/tasks", new { id, to = new[] { "gpu" }, instructions = "x", requires = new[] { "redaction" } });
        var lease = await WaitAsync(api, async () =>
        {
            var answer = await api.PostAsync("api/workers/gpu/lease", new { workerId = "w-redact", capabilities = new[] { "redaction" } });
            return answer.Status == HttpStatusCode.OK ? answer.Json.GetProperty("leaseId").GetString() : null;
        }, "a lease of the attempt");

        (await api.PostAsync($"api/workers/gpu/leases/{lease}/complete", new { status = "completed", summary = "pushed with " + GitHubToken, result = "# Done\ntoken: " + GitHubToken })).Is(HttpStatusCode.OK);

        var view = await api.WaitForStateAsync(id, "completed");
        var warnings = view.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(
            ["role 'gpu': redacted a GitHub token (github_token) in summary at line 1, column 13 of the result", "role 'gpu': redacted a GitHub token (github_token) in result at line 2, column 8 of the result"],
            warnings);
        Assert.DoesNotContain(GitHubToken, view.ToString(), StringComparison.Ordinal);
        var stored = (await api.GetAsync($"api/tasks/{id}/artifacts/results/gpu.md")).Is(HttpStatusCode.OK).Body;
        Assert.Equal("# Done\ntoken: [REDACTED:github_token]", stored);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task History_lists_a_task_s_events_in_order_paged_and_the_durable_status_route_shows_them(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("hist");
        await api.PostAsync("api/tasks", new { id, from = "lead", to = new[] { "plain" }, instructions = "x" });
        await api.WaitForStateAsync(id, "completed");

        var all = await HistoryAsync(api, id);
        var types = all.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("submitted", types[0]);
        Assert.Equal("lead", all[0].GetProperty("actor").GetString());
        var view = (await api.GetAsync($"api/tasks/{id}")).Is(HttpStatusCode.OK).Json;
        Assert.Equal(view.GetProperty("traceId").GetString(), all[0].GetProperty("traceId").GetString());
        Assert.Equal("outcome", types[^1]);
        Assert.Equal("completed", all[^1].GetProperty("state").GetString());
        Assert.Contains(all, e => e.GetProperty("type").GetString() == "attempt_ended" && e.GetProperty("kind").GetString() == "succeeded" && e.GetProperty("role").GetString() == "plain");
        var seqs = all.Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.All(all, e => Assert.True(e.TryGetProperty("at", out _) && e.TryGetProperty("actor", out _)));

        var first = (await api.GetAsync($"api/tasks/{id}/history?top=1")).Is(HttpStatusCode.OK).Json;
        Assert.Single(first.GetProperty("items").EnumerateArray());
        var token = first.GetProperty("continuationToken").GetString();
        var second = (await api.GetAsync($"api/tasks/{id}/history?top=1&continuationToken={token}")).Is(HttpStatusCode.OK).Json;
        Assert.Equal(seqs[1], second.GetProperty("items")[0].GetProperty("seq").GetInt64());
        (await api.GetAsync($"api/tasks/{id}/history?continuationToken=nonsense")).IsProblem(HttpStatusCode.BadRequest);
        (await api.GetAsync($"api/tasks/{id}/history?top=0")).IsProblem(HttpStatusCode.BadRequest);
        (await api.GetAsync("api/tasks/no-such-task/history")).IsProblem(HttpStatusCode.NotFound);

        // In Functions the task reads completed from the orchestration's last custom status, a moment before the
        // runtime records the orchestration's own end: poll (bounded) until it has.
        List<string?> events = [];
        for (var i = 0; i < 200 && events.LastOrDefault() != "ExecutionCompleted"; i++)
        {
            await Task.Delay(i == 0 ? 0 : 50);
            var status = (await api.GetAsync($"runtime/webhooks/durabletask/instances/{id}?showHistory=true")).Is(HttpStatusCode.OK).Json;
            events = status.GetProperty("historyEvents").EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).ToList();
        }

        Assert.Equal("ExecutionStarted", events[0]);
        Assert.Equal("ExecutionCompleted", events[^1]);
        Assert.Contains("TaskCompleted", events);
        Assert.False((await api.GetAsync($"runtime/webhooks/durabletask/instances/{id}")).Json.TryGetProperty("historyEvents", out _));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_alert_degrades_health_with_its_reason_and_metrics_carry_the_scaling_hint(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("alert");
        await api.PostAsync("api/tasks", new { id, to = new[] { "backlog" }, instructions = "x" });

        var backlog = await WaitAsync(api, async () =>
        {
            var role = Role(await MetricsAsync(api), "backlog");
            return role.GetProperty("queueDepth").GetInt32() >= 1 ? (JsonElement?)role : null;
        }, "the attempt in the backlog queue");

        var health = (await api.GetAsync("api/health")).Is(HttpStatusCode.OK).Json;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("role 'backlog': ", StringComparison.Ordinal) && r.GetString()!.EndsWith("(Alerts:MaxDepth is 0)", StringComparison.Ordinal));
        var alert = health.GetProperty("alerts").EnumerateArray().First(a => a.GetProperty("role").GetString() == "backlog");
        Assert.Equal("max_depth", alert.GetProperty("kind").GetString());
        Assert.True(backlog!.Value.GetProperty("desiredWorkers").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, Role(await MetricsAsync(api), "plain").GetProperty("desiredWorkers").ValueKind);
        Assert.Contains("agentfunctions_role_desired_workers{role=\"backlog\"}", (await api.GetAsync("api/metrics?format=prometheus")).Body, StringComparison.Ordinal);

        (await api.PostAsync($"api/tasks/{id}/cancel", new { by = "test" })).Is(HttpStatusCode.Accepted);
    }

    private static async Task<JsonElement> MetricsAsync(ApiSession api) => (await api.GetAsync("api/metrics")).Is(HttpStatusCode.OK).Json;

    private static JsonElement Role(JsonElement metrics, string role) =>
        metrics.GetProperty("roles").EnumerateArray().First(r => r.GetProperty("role").GetString() == role);

    /// <summary>Every event of a task's history, page by page.</summary>
    private static async Task<List<JsonElement>> HistoryAsync(ApiSession api, string id)
    {
        var events = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = (await api.GetAsync($"api/tasks/{id}/history?top=5" + (token is null ? string.Empty : "&continuationToken=" + token))).Is(HttpStatusCode.OK).Json;
            events.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);

        return events;
    }

    /// <summary>Polls until <paramref name="probe"/> answers something, for at most 90 s.</summary>
    private async Task<T> WaitAsync<T>(ApiSession api, Func<Task<T?>> probe, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"[{api.Engine}] no {what} within 90 s{Environment.NewLine}{engines.Log(api.Engine)}");
        throw new InvalidOperationException("unreachable");
    }
}
