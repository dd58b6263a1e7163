using System.Net;
using System.Text.Json;
using AgentFunctions.Contract.Tests.Support;
using static AgentFunctions.Contract.Tests.Support.BothEngines;

namespace AgentFunctions.Contract.Tests.Scenarios;

/// <summary>
/// The same HTTP scenarios against the Standalone server and the Functions engine: the same status codes, the same
/// states, and (in <see cref="Both_engines_answer_with_the_same_fields"/>) the same JSON fields.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class HttpContractTests(BothEngines engines)
{
    public static TheoryData<string> Engines => new() { StandaloneEngine, FunctionsEngine };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Submit_answers_202_with_the_management_payload_then_status_and_result(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("submit");
        var spec = new { id, to = new[] { "impl", "review" }, instructions = "Add a health endpoint.", context = "# Notes" };

        var submitted = (await api.PostAsync("api/tasks", spec)).Is(HttpStatusCode.Accepted);
        var payload = submitted.Json;
        Assert.Equal(id, payload.GetProperty("id").GetString());
        foreach (var link in new[] { "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri" })
        {
            Assert.Contains(id, payload.GetProperty(link).GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(payload.GetProperty("statusQueryGetUri").GetString(), submitted.Location?.ToString());
        var view = await api.WaitForStateAsync(id, "completed");
        Assert.All(view.GetProperty("roles").EnumerateArray(), role => Assert.Equal(("succeeded", 1), (role.GetProperty("state").GetString(), role.GetProperty("attempt").GetInt32())));

        var result = (await api.GetAsync($"api/tasks/{id}/result")).Is(HttpStatusCode.OK).Json;
        Assert.Equal("completed", result.GetProperty("state").GetString());
        Assert.Equal($"tasks/{id}/results/impl.md", result.GetProperty("roles")[0].GetProperty("resultRef").GetString());
        Assert.Contains("Echo from review", (await api.GetAsync($"api/tasks/{id}/artifacts/results/review.md")).Is(HttpStatusCode.OK).Body, StringComparison.Ordinal);

        (await api.PostAsync("api/tasks", spec)).Is(HttpStatusCode.OK);
        (await api.PostAsync("api/tasks", spec with { context = "# Other notes" })).IsProblem(HttpStatusCode.Conflict);
        (await api.GetAsync("api/tasks/no-such-task")).IsProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_durable_status_route_answers_202_running_200_completed_400_failed_404_unknown(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var waiting = ApiSession.NewId("dwait");
        await api.PostAsync("api/tasks", new { id = waiting, to = new[] { "gate" }, instructions = "Deploy." });
        await api.WaitForStateAsync(waiting, "awaiting_approval");
        var running = (await api.GetAsync($"runtime/webhooks/durabletask/instances/{waiting}")).Is(HttpStatusCode.Accepted).Json;
        Assert.Equal(("AgentTaskOrchestrator", waiting, "Running"), (running.GetProperty("name").GetString(), running.GetProperty("instanceId").GetString(), running.GetProperty("runtimeStatus").GetString()));
        Assert.Equal("awaiting_approval", running.GetProperty("customStatus").GetProperty("state").GetString());
        (await api.GetAsync($"api/tasks/{waiting}/result")).IsProblem(HttpStatusCode.Conflict);

        var done = ApiSession.NewId("ddone");
        await api.PostAsync("api/tasks", new { id = done, to = new[] { "impl" }, instructions = "Build." });
        await api.WaitForStateAsync(done, "completed");
        var completed = (await api.GetAsync($"runtime/webhooks/durabletask/instances/{done}")).Is(HttpStatusCode.OK).Json;
        Assert.Equal("Completed", completed.GetProperty("runtimeStatus").GetString());
        Assert.Equal("completed", completed.GetProperty("output").GetProperty("state").GetString());

        var failed = ApiSession.NewId("dfail");
        await api.PostAsync("api/tasks", new { id = failed, to = new[] { "refuser" }, instructions = "Send it." });
        await api.WaitForStateAsync(failed, "failed");
        var failure = (await api.GetAsync($"runtime/webhooks/durabletask/instances/{failed}")).Is(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Failed", failure.GetProperty("runtimeStatus").GetString());

        (await api.GetAsync("runtime/webhooks/durabletask/instances/no-such-task")).Is(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Approve_reject_and_cancel_answer_202_404_and_409(string engine)
    {
        using var api = new ApiSession(engines, engine);
        (await api.PostAsync("api/tasks/no-such-task/approve", new { by = "ana" })).IsProblem(HttpStatusCode.NotFound);
        (await api.PostAsync("api/tasks/no-such-task/cancel", new { by = "ana" })).IsProblem(HttpStatusCode.NotFound);

        var approved = ApiSession.NewId("appr");
        await api.PostAsync("api/tasks", new { id = approved, to = new[] { "gate" }, instructions = "Deploy." });
        await api.WaitForStateAsync(approved, "awaiting_approval");
        (await api.PostAsync($"api/tasks/{approved}/approve", new { by = "ana", role = "gate", note = "go" })).Is(HttpStatusCode.Accepted);
        await api.WaitForStateAsync(approved, "completed");
        (await api.PostAsync($"api/tasks/{approved}/approve", new { by = "ana" })).IsProblem(HttpStatusCode.Conflict);
        (await api.PostAsync($"api/tasks/{approved}/cancel", new { by = "ana" })).IsProblem(HttpStatusCode.Conflict);

        var rejected = ApiSession.NewId("rej");
        await api.PostAsync("api/tasks", new { id = rejected, to = new[] { "impl" }, instructions = "Migrate.", requiresApproval = true });
        await api.WaitForStateAsync(rejected, "awaiting_approval");
        (await api.PostAsync($"api/tasks/{rejected}/reject", new { by = "lead", note = "not now" })).Is(HttpStatusCode.Accepted);
        var view = await api.WaitForStateAsync(rejected, "rejected");
        Assert.Equal("lead", view.GetProperty("outcome").GetProperty("by").GetString());

        var canceled = ApiSession.NewId("canc");
        await api.PostAsync("api/tasks", new { id = canceled, to = new[] { "worker" }, instructions = "Train." });
        await api.WaitForTaskAsync(canceled, v => v.GetProperty("roles")[0].GetProperty("state").GetString() == "pending", "the remote role waiting in its queue");
        (await api.PostAsync($"api/tasks/{canceled}/cancel", new { by = "ana", reason = "superseded" })).Is(HttpStatusCode.Accepted);
        var ended = await api.WaitForStateAsync(canceled, "canceled");
        Assert.Equal("superseded", ended.GetProperty("outcome").GetProperty("reason").GetString());
        (await api.PostAsync($"api/tasks/{canceled}/cancel", new { by = "ana" })).IsProblem(HttpStatusCode.Conflict);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Dead_letters_are_listed_shown_replayed_and_deleted(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("dl");
        await api.PostAsync("api/tasks", new { id, to = new[] { "refuser" }, instructions = "Send it." });
        await api.WaitForStateAsync(id, "failed");
        var deadLetterId = $"{id}~refuser";

        var record = (await api.GetAsync($"api/deadletters/{deadLetterId}")).Is(HttpStatusCode.OK).Json;
        Assert.Equal((id, "refuser", 1), (record.GetProperty("taskId").GetString(), record.GetProperty("role").GetString(), record.GetProperty("attempts").GetInt32()));
        Assert.Equal("permanent", record.GetProperty("failures")[0].GetProperty("kind").GetString());
        var list = (await api.GetAsync($"api/deadletters?taskId={id}")).Is(HttpStatusCode.OK).Json;
        Assert.Equal(deadLetterId, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var replay = (await api.PostAsync($"api/deadletters/{deadLetterId}/replay")).Is(HttpStatusCode.Accepted).Json;
        Assert.Equal($"{id}.r1", replay.GetProperty("taskId").GetString());
        await api.WaitForStateAsync($"{id}.r1", "failed");
        Assert.Equal($"{id}.r1", (await api.GetAsync($"api/deadletters/{deadLetterId}")).Is(HttpStatusCode.OK).Json.GetProperty("replayedAs").GetString());
        (await api.PostAsync($"api/deadletters/{deadLetterId}/replay")).IsProblem(HttpStatusCode.Conflict);

        (await api.DeleteAsync($"api/deadletters/{deadLetterId}")).Is(HttpStatusCode.NoContent);
        (await api.GetAsync($"api/deadletters/{deadLetterId}")).IsProblem(HttpStatusCode.NotFound);
        (await api.PostAsync("api/deadletters/no-such~letter/replay")).IsProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Concurrent_identical_submits_start_one_task_one_answers_202_and_the_rest_200(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("same");

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.PostAsync("api/tasks", new { id, to = new[] { "impl" }, instructions = "Once." })));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Accepted);
        Assert.Equal(5, answers.Count(a => a.Status == HttpStatusCode.OK));
        Assert.All(answers, a => Assert.Equal(id, a.Json.GetProperty("id").GetString()));
        await api.WaitForStateAsync(id, "completed");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Concurrent_replays_of_one_dead_letter_start_one_task_and_only_its_request_answers_202(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("dlrace");
        await api.PostAsync("api/tasks", new { id, to = new[] { "refuser" }, instructions = "Send it." });
        await api.WaitForStateAsync(id, "failed");
        var deadLetterId = $"{id}~refuser";

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.PostAsync($"api/deadletters/{deadLetterId}/replay")));

        var accepted = Assert.Single(answers, a => a.Status == HttpStatusCode.Accepted);
        Assert.Equal($"{id}.r1", accepted.Json.GetProperty("taskId").GetString());
        Assert.All(answers.Where(a => a != accepted), a => Assert.Equal(HttpStatusCode.Conflict, a.Status));
        Assert.All(answers.Where(a => a != accepted), a => Assert.Contains($"was already replayed as task '{id}.r1'", a.Json.GetProperty("detail").GetString(), StringComparison.Ordinal));
        await api.WaitForStateAsync($"{id}.r1", "failed");
        (await api.GetAsync($"api/tasks/{id}.r2")).IsProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Workers_lease_heartbeat_complete_and_fail_and_a_lost_lease_is_410(string engine)
    {
        using var api = new ApiSession(engines, engine);
        (await api.PostAsync("api/workers/idle/lease", new { workerId = "w1" })).Is(HttpStatusCode.NoContent);

        var id = ApiSession.NewId("work");
        await api.PostAsync("api/tasks", new { id, to = new[] { "worker" }, instructions = "Train." });
        var lease = await LeaseAsync(api, id);
        Assert.Equal((id, "worker", 1), (lease.GetProperty("taskId").GetString(), lease.GetProperty("role").GetString(), lease.GetProperty("attempt").GetInt32()));
        Assert.Contains("(attempt 1 of 2)", lease.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        var leaseId = lease.GetProperty("leaseId").GetString()!;

        var beat = (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(leaseId)}/heartbeat", new { progress = 0.5, message = "halfway" })).Is(HttpStatusCode.OK).Json;
        Assert.False(beat.GetProperty("canceled").GetBoolean());
        await api.WaitForTaskAsync(id, v => v.GetProperty("roles")[0].GetProperty("progress").ValueKind == JsonValueKind.Number, "progress 0.5");
        var current = beat.GetProperty("leaseId").GetString()!;
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(current)}/complete", new { status = "completed", summary = "trained", result = "# done" })).Is(HttpStatusCode.OK);
        await api.WaitForStateAsync(id, "completed");
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(current)}/heartbeat", new { })).IsProblem(HttpStatusCode.Gone);

        var failing = ApiSession.NewId("workf");
        await api.PostAsync("api/tasks", new { id = failing, to = new[] { "worker" }, instructions = "Train." });
        var failLease = (await LeaseAsync(api, failing)).GetProperty("leaseId").GetString()!;
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(failLease)}/fail", new { reason = "bad input", permanent = true })).Is(HttpStatusCode.OK);
        var failed = await api.WaitForStateAsync(failing, "failed");
        Assert.Equal(("dead_lettered", 1), (failed.GetProperty("roles")[0].GetProperty("state").GetString(), failed.GetProperty("roles")[0].GetProperty("attempt").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_released_attempt_shows_waiting_again_and_the_next_worker_runs_it_under_the_same_number(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("released");
        await api.PostAsync("api/tasks", new { id, to = new[] { "worker" }, instructions = "Hand me back." });
        var firstId = Uri.EscapeDataString((await LeaseAsync(api, id)).GetProperty("leaseId").GetString()!);
        var beat = (await api.PostAsync($"api/workers/worker/leases/{firstId}/heartbeat", new { progress = 0.5, message = "halfway" })).Is(HttpStatusCode.OK).Json;
        await api.WaitForTaskAsync(id, v => v.GetProperty("roles")[0].GetProperty("progress").ValueKind == JsonValueKind.Number, "progress 0.5");

        // A heartbeat may renew the lease id (Functions: the message's new receipt); release names the current one.
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(beat.GetProperty("leaseId").GetString()!)}/release")).Is(HttpStatusCode.OK);

        var waiting = await api.WaitForTaskAsync(id, v => v.GetProperty("roles")[0].GetProperty("state").GetString() == "pending", "the role pending again");
        Assert.Equal((0, JsonValueKind.Null), (waiting.GetProperty("roles")[0].GetProperty("attempt").GetInt32(), waiting.GetProperty("roles")[0].GetProperty("progress").ValueKind));
        var second = await LeaseAsync(api, id);
        Assert.Equal(1, second.GetProperty("attempt").GetInt32());
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(second.GetProperty("leaseId").GetString()!)}/complete", new { status = "completed", result = "# done" })).Is(HttpStatusCode.OK);
        var done = await api.WaitForStateAsync(id, "completed");
        Assert.Equal(1, done.GetProperty("roles")[0].GetProperty("attempt").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_worker_naming_a_task_gets_that_tasks_attempt_with_a_lease_up_to_the_roles_maximum(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var older = ApiSession.NewId("named");
        var named = ApiSession.NewId("named");
        await api.PostAsync("api/tasks", new { id = older, to = new[] { "worker" }, instructions = "First in line." });
        await api.PostAsync("api/tasks", new { id = named, to = new[] { "worker" }, instructions = "The one I want." });

        // Longer than the role's 30 s lease, shorter than its MaxLeaseSeconds (4 h by default); over it: refused.
        var refused = (await api.PostAsync("api/workers/worker/lease", new { workerId = "agent", taskId = named, leaseSeconds = (4 * 3600) + 1 })).IsProblem(HttpStatusCode.BadRequest);
        Assert.Contains("Roles:worker:MaxLeaseSeconds", refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await api.PostAsync("api/workers/worker/lease", new { workerId = "agent", taskId = "bad id!" })).IsProblem(HttpStatusCode.BadRequest);

        var lease = (await api.PostAsync("api/workers/worker/lease?wait=20", new { workerId = "agent", taskId = named, leaseSeconds = 3600 })).Is(HttpStatusCode.OK).Json;
        Assert.Equal((named, 1, 3600), (lease.GetProperty("taskId").GetString(), lease.GetProperty("attempt").GetInt32(), lease.GetProperty("leaseSeconds").GetInt32()));
        Assert.InRange(lease.GetProperty("leaseExpiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        (await api.PostAsync("api/workers/worker/lease", new { workerId = "agent", taskId = named })).Is(HttpStatusCode.NoContent);

        var beat = (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(lease.GetProperty("leaseId").GetString()!)}/heartbeat", new { progress = 0.2 })).Is(HttpStatusCode.OK).Json;
        Assert.InRange(beat.GetProperty("leaseExpiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(beat.GetProperty("leaseId").GetString()!)}/complete", new { status = "completed", summary = "by hand", result = "# done" })).Is(HttpStatusCode.OK);
        await api.WaitForStateAsync(named, "completed");

        // The older task waited in the queue all along, and is still offered.
        var first = (await api.PostAsync("api/workers/worker/lease?wait=20", new { workerId = "agent", taskId = older })).Is(HttpStatusCode.OK).Json;
        (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(first.GetProperty("leaseId").GetString()!)}/complete", new { status = "completed", result = "# done" })).Is(HttpStatusCode.OK);
        await api.WaitForStateAsync(older, "completed");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Roles_lists_every_role_with_its_runner_capabilities_approval_and_retry(string engine)
    {
        using var api = new ApiSession(engines, engine);

        var items = (await api.GetAsync("api/roles")).Is(HttpStatusCode.OK).Json.GetProperty("items").EnumerateArray().ToList();

        // The Standalone server also has the default roles of its appsettings.json; in name order either way.
        var names = items.Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "gate", "idle", "impl", "refuser", "review", "worker" });
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var worker = items.Single(r => r.GetProperty("name").GetString() == "worker");
        Assert.Equal(("remote", false, 30, 4 * 3600), (worker.GetProperty("runner").GetString(), worker.GetProperty("requiresApproval").GetBoolean(), worker.GetProperty("leaseSeconds").GetInt32(), worker.GetProperty("maxLeaseSeconds").GetInt32()));
        Assert.Equal(2, worker.GetProperty("retry").GetProperty("maxAttempts").GetInt32());
        Assert.Equal(JsonValueKind.Array, worker.GetProperty("capabilities").ValueKind);
        Assert.True(items.Single(r => r.GetProperty("name").GetString() == "gate").GetProperty("requiresApproval").GetBoolean());
        Assert.Equal("command", items.Single(r => r.GetProperty("name").GetString() == "refuser").GetProperty("runner").GetString());
        Assert.DoesNotContain("/bin/sh", (await api.GetAsync("api/roles")).Body, StringComparison.Ordinal); // runner options stay private
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Health_and_metrics_answer_200(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var health = (await api.GetAsync("api/health")).Is(HttpStatusCode.OK).Json;
        Assert.Contains(health.GetProperty("status").GetString(), new[] { "healthy", "degraded" });

        var metrics = (await api.GetAsync("api/metrics")).Is(HttpStatusCode.OK).Json;
        Assert.True(metrics.TryGetProperty("roles", out _), $"[{engine}] metrics without roles: {metrics}");
        (await api.GetAsync("api/metrics?format=prometheus")).Is(HttpStatusCode.OK);
        (await api.GetAsync("api/metrics?format=xml")).IsProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_task_list_filters_by_type_and_refuses_an_invalid_type(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var type = "triage:" + ApiSession.NewId("t");
        var typed = new[] { ApiSession.NewId("typed"), ApiSession.NewId("typed") };
        var other = ApiSession.NewId("other");
        foreach (var id in typed)
        {
            (await api.PostAsync("api/tasks", new { id, type, to = new[] { "impl" }, instructions = "Sort the inbox." })).Is(HttpStatusCode.Accepted);
        }

        (await api.PostAsync("api/tasks", new { id = other, type = "code", to = new[] { "impl" }, instructions = "Build." })).Is(HttpStatusCode.Accepted);
        foreach (var id in typed.Append(other))
        {
            await api.WaitForStateAsync(id, "completed");
        }

        Assert.Equal(typed.Order(StringComparer.Ordinal), await ListIdsAsync(api, $"type={Uri.EscapeDataString(type)}"));
        Assert.Equal(typed.Order(StringComparer.Ordinal), await ListIdsAsync(api, $"type={Uri.EscapeDataString(type)}&state=completed&role=impl"));
        Assert.Empty(await ListIdsAsync(api, $"type={Uri.EscapeDataString(type)}&state=failed"));
        Assert.Empty(await ListIdsAsync(api, $"type={Uri.EscapeDataString(type.ToUpperInvariant())}"));
        var problem = (await api.GetAsync("api/tasks?type=not%20a%20type")).IsProblem(HttpStatusCode.BadRequest).Json;
        Assert.StartsWith("type:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Whoami_answers_every_scope_where_keys_are_not_scoped(string engine)
    {
        using var api = new ApiSession(engines, engine);

        var access = (await api.GetAsync("api/whoami")).Is(HttpStatusCode.OK).Json;

        Assert.Equal(["submit", "read", "approve", "cancel", "admin", "worker:*"], access.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, access.GetProperty("keyName").ValueKind);
        // The Standalone server has no keys here (loopback callers may do everything); Functions keys are not scoped.
        Assert.Equal(engine == StandaloneEngine ? "loopback" : "host", access.GetProperty("source").GetString());
    }

    /// <summary>Every task id the list answers for a query, across its pages, in order.</summary>
    private static async Task<IReadOnlyList<string>> ListIdsAsync(ApiSession api, string query)
    {
        var ids = new List<string>();
        string? token = null;
        for (var page = 0; page < 50; page++)
        {
            var answer = (await api.GetAsync($"api/tasks?{query}&top=1000" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token)))).Is(HttpStatusCode.OK).Json;
            ids.AddRange(answer.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!));
            token = answer.GetProperty("continuationToken").GetString();
            if (token is null)
            {
                break;
            }
        }

        return ids.Order(StringComparer.Ordinal).ToList();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Bad_input_gets_problem_json_with_a_clear_detail(string engine)
    {
        using var api = new ApiSession(engines, engine);
        (await api.PostAsync("api/tasks", "{ not json")).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("api/tasks", new { to = new[] { "nobody" }, instructions = "x" })).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("api/tasks", new { id = "bad id!", to = new[] { "impl" }, instructions = "x" })).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("api/tasks", new { to = new[] { "impl" }, instructions = "x", context = new string('x', (1024 * 1024) + 1) })).IsProblem(HttpStatusCode.RequestEntityTooLarge);
        (await api.GetAsync("api/tasks?top=0")).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("api/workers/worker/lease?wait=abc", new { })).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("api/workers/worker/leases/not-a-lease/heartbeat", new { progress = 2 })).IsProblem(HttpStatusCode.BadRequest);
        (await api.PostAsync("runtime/webhooks/durabletask/instances/no-such-task/raiseEvent/approval", new { decision = "maybe" })).IsProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Both_engines_answer_with_the_same_fields()
    {
        var documents = new Dictionary<string, Dictionary<string, JsonElement>>();
        foreach (var engine in new[] { StandaloneEngine, FunctionsEngine })
        {
            using var api = new ApiSession(engines, engine);
            var answers = documents[engine] = [];
            var id = ApiSession.NewId("shape");
            answers["submit payload"] = (await api.PostAsync("api/tasks", new { id, to = new[] { "impl" }, instructions = "Build." })).Json;
            answers["task view"] = await api.WaitForStateAsync(id, "completed");
            answers["task result"] = (await api.GetAsync($"api/tasks/{id}/result")).Json;
            answers["durable status"] = (await api.GetAsync($"runtime/webhooks/durabletask/instances/{id}")).Json;
            answers["task list"] = (await api.GetAsync("api/tasks?top=1")).Json;

            var failed = ApiSession.NewId("shapef");
            await api.PostAsync("api/tasks", new { id = failed, to = new[] { "refuser" }, instructions = "Send it." });
            await api.WaitForStateAsync(failed, "failed");
            answers["dead letter"] = (await api.GetAsync($"api/deadletters/{failed}~refuser")).Is(HttpStatusCode.OK).Json;

            var remote = ApiSession.NewId("shapew");
            await api.PostAsync("api/tasks", new { id = remote, to = new[] { "worker" }, instructions = "Train." });
            answers["lease"] = await LeaseAsync(api, remote);
            answers["heartbeat"] = (await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(answers["lease"].GetProperty("leaseId").GetString()!)}/heartbeat", new { progress = 0.1 })).Json;
            answers["health"] = (await api.GetAsync("api/health")).Json;
            answers["roles"] = (await api.GetAsync("api/roles")).Json;
            answers["problem"] = (await api.GetAsync("api/tasks/no-such-task")).Json;
        }

        var problems = new List<string>();
        foreach (var (what, standalone) in documents[StandaloneEngine])
        {
            try
            {
                // Health checks name each engine's own components (SQLite journal; Blob containers and queues); a
                // list's first item is whichever task is newest there (item fields are the task view's, compared above).
                var prefix = what switch { "health" => "$.checks.", "task list" => "$.items[].", _ => null };
                var ignored = prefix is null ? [] : Shapes.Of(standalone).Concat(Shapes.Of(documents[FunctionsEngine][what])).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
                Shapes.AssertSame(what, standalone, documents[FunctionsEngine][what], ignored);
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                problems.Add(ex.Message);
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_dead_letter_can_be_read_and_deleted_the_moment_the_view_names_it(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var ids = Enumerable.Range(0, 4).Select(_ => ApiSession.NewId("dlnow")).ToList();
        foreach (var id in ids)
        {
            await api.PostAsync("api/tasks", new { id, to = new[] { "refuser" }, instructions = "Send it." });
        }

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var view = await api.WaitForTaskAsync(id, v => v.GetProperty("roles")[0].TryGetProperty("deadLetterId", out var named) && named.ValueKind == JsonValueKind.String, "a dead letter");
            var deadLetterId = view.GetProperty("roles")[0].GetProperty("deadLetterId").GetString();

            // No wait in between: the record is there as soon as the view names it.
            var answer = i % 2 == 0 ? await api.GetAsync($"api/deadletters/{deadLetterId}") : await api.DeleteAsync($"api/deadletters/{deadLetterId}");
            answer.Is(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.NoContent);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_task_joins_the_callers_trace_and_its_lease_carries_the_attempts_traceparent(string engine)
    {
        using var api = new ApiSession(engines, engine);
        var id = ApiSession.NewId("trace");
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        (await api.SendAsync(HttpMethod.Post, "api/tasks", JsonSerializer.Serialize(new { id, to = new[] { "worker" }, instructions = "Trace." }), $"00-{TraceId}-00f067aa0ba902b7-01"))
            .Is(HttpStatusCode.Accepted);
        Assert.Equal(TraceId, (await api.GetAsync($"api/tasks/{id}")).Is(HttpStatusCode.OK).Json.GetProperty("traceId").GetString());

        var lease = await LeaseAsync(api, id);
        var traceParent = lease.GetProperty("traceparent").GetString()!;
        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-01$", traceParent);
        Assert.Equal(traceParent, lease.GetProperty("input").GetProperty("traceparent").GetString());

        // A malformed report of the worker's own span is refused with what to fix; a good one is taken with the result.
        var leaseId = Uri.EscapeDataString(lease.GetProperty("leaseId").GetString()!);
        var badSpan = new { status = "completed", summary = "done", workerSpan = new { traceparent = "not-a-traceparent", parentSpanId = traceParent[36..52] } };
        Assert.Contains("workerSpan.traceparent", (await api.PostAsync($"api/workers/worker/leases/{leaseId}/complete", badSpan)).IsProblem(HttpStatusCode.BadRequest).Body, StringComparison.Ordinal);
        var now = DateTimeOffset.UtcNow;
        var goodSpan = new { traceparent = $"00-{TraceId}-1111111111111111-01", parentSpanId = traceParent[36..52], startedAt = now.AddSeconds(-1), endedAt = now };
        (await api.PostAsync($"api/workers/worker/leases/{leaseId}/complete", new { status = "completed", summary = "done", workerSpan = goodSpan })).Is(HttpStatusCode.OK);
        await api.WaitForStateAsync(id, "completed");
    }

    [Fact]
    public async Task Both_engines_serve_the_same_openapi_document_without_a_key()
    {
        using var standalone = new ApiSession(engines, StandaloneEngine);
        using var functions = new ApiSession(engines, FunctionsEngine);

        var fromStandalone = (await standalone.GetAsync("api/openapi.json")).Is(HttpStatusCode.OK);
        var fromFunctions = (await functions.GetAsync("api/openapi.json")).Is(HttpStatusCode.OK);

        Assert.Equal("application/json", fromStandalone.MediaType);
        Assert.Equal(fromStandalone.Body, fromFunctions.Body);
        Assert.StartsWith("3.1", fromStandalone.Json.GetProperty("openapi").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> LeaseAsync(ApiSession api, string taskId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var answer = await api.PostAsync("api/workers/worker/lease?wait=5", new { workerId = "contract" });
            if (answer.Status == HttpStatusCode.OK && answer.Json.GetProperty("taskId").GetString() == taskId)
            {
                return answer.Json;
            }

            if (answer.Status == HttpStatusCode.OK)
            {
                // An attempt of a task an earlier scenario left: hand it back.
                await api.PostAsync($"api/workers/worker/leases/{Uri.EscapeDataString(answer.Json.GetProperty("leaseId").GetString()!)}/release");
            }

            Assert.True(DateTime.UtcNow < deadline, $"[{api.Engine}] no attempt of {taskId} was offered: {answer.Status} {answer.Body}");
        }
    }
}
