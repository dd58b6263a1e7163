using System.Text.Json;
using AgentFunctions.Dashboard.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AgentFunctions.Dashboard.Tests;

/// <summary>The dashboard in Chromium against the real Standalone server: watch, approve, cancel, replay, scopes, untrusted text.</summary>
[Collection(DashboardCollection.Name)]
public sealed class StandaloneDashboardTests(DashboardServers servers, ITestOutputHelper output)
{
    static StandaloneDashboardTests() => SetDefaultExpectTimeout(20_000);

    /// <summary>API calls to the open Standalone server (no key).</summary>
    private ServerCalls StandaloneCalls() => new(servers.Standalone.BaseAddress);

    /// <summary>A page on the open Standalone server's dashboard at <paramref name="route"/>.</summary>
    private Task<PageSession> OpenStandaloneAsync(string route = "tasks", Action<IPage>? beforeOpen = null) =>
        PageSession.OpenAsync(servers, servers.Standalone.BaseAddress, route, beforeOpen: beforeOpen);

    [Fact]
    public async Task A_submitted_task_appears_in_the_list_and_goes_live_to_completed()
    {
        await using var session = await OpenStandaloneAsync();
        var page = session.Page;
        await Expect(page.Locator("#view .counts .count")).ToHaveCountAsync(9);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("live");

        await api.SubmitAsync(new { id, to = new[] { "worker" }, type = "review", from = "alice", instructions = "Review the change." });

        var row = page.Locator($"tr[data-id='{id}']");
        // A remote role's task is accepted until a worker leases its attempt.
        await Expect(row).ToHaveAttributeAsync("data-state", "accepted");
        await Expect(row.Locator("td[data-label='Type']")).ToHaveTextAsync("review");
        var lease = await api.LeaseAsync("worker", id);
        await Expect(row).ToHaveAttributeAsync("data-state", "running");
        await api.PostOkAsync($"api/workers/worker/leases/{Uri.EscapeDataString(lease)}/heartbeat", new { progress = 0.5, message = "halfway" });
        await api.PostOkAsync($"api/workers/worker/leases/{Uri.EscapeDataString(lease)}/complete", new { status = "completed", summary = "Looks good.", result = "# Review\nNo blocking issue." });
        await Expect(row).ToHaveAttributeAsync("data-state", "completed");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("completed");

        // The filters narrow the list and stay in the address, so a reload keeps them.
        await page.SelectOptionAsync("#filter-state", "completed");
        await page.FillAsync("#filter-type", "review");
        await page.ClickAsync(".filters button[type=submit]");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("state=completed.*type=review"));
        await Expect(row).ToBeVisibleAsync();
        await page.FillAsync("#filter-type", "no-such-type");
        await page.ClickAsync(".filters button[type=submit]");
        await Expect(row).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.Locator("#filter-type")).ToHaveValueAsync("no-such-type");

        await session.GoAsync("tasks");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator(".count.state-completed .num")).Not.ToHaveTextAsync("0");

        // A live refresh keeps the operator where they scrolled to (a phone-sized window, so the list scrolls).
        await page.SetViewportSizeAsync(Screens.NarrowWidth, 400);
        await page.EvaluateAsync("() => window.scrollTo(0, 250)");
        var scrolled = await page.EvaluateAsync<double>("() => window.scrollY");
        Assert.True(scrolled > 0, "the list does not scroll in a 390x400 window");
        var before = await page.Locator("#view .live").TextContentAsync();
        await Expect(page.Locator("#view .live")).Not.ToHaveTextAsync(before!);
        Assert.Equal(scrolled, await page.EvaluateAsync<double>("() => window.scrollY"));
        await Screens.CaptureAsync(page, "tasks", output);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_gated_task_is_approved_from_the_button_and_completes()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("gate");
        await api.SubmitAsync(new { id, stages = new[] { new[] { "impl" }, new[] { "gate" } }, instructions = "Ship the release.", type = "release" });
        await using var session = await OpenStandaloneAsync("task/" + id);
        var page = session.Page;
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "awaiting_approval");
        await Expect(page.Locator("tr[data-role='gate']")).ToHaveAttributeAsync("data-state", "awaiting_approval");
        await Expect(page.Locator("#action-role option[value='gate']")).ToHaveCountAsync(1);
        await Screens.CaptureAsync(page, "task-awaiting-approval", output);

        await page.FillAsync("#action-by", "alice");
        await page.SelectOptionAsync("#action-role", "gate");
        await page.FillAsync("#action-note", "release window open");
        await page.ClickAsync("#approve");

        await Expect(page.Locator(".actions output.result")).ToContainTextAsync("202 Accepted");
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator("tr[data-role='gate']")).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(page.Locator("#approve")).ToBeDisabledAsync();
        await Expect(page.Locator("#view")).ToContainTextAsync("release window open");
        var view = await api.GetJsonAsync($"api/tasks/{id}");
        var decision = view.GetProperty("approval").GetProperty("decisions")[0];
        Assert.Equal(("alice", "gate", "release window open"), (decision.GetProperty("by").GetString(), decision.GetProperty("role").GetString(), decision.GetProperty("note").GetString()));

        // The timeline is the task's history, oldest first: submitted, the attempts, the decision with its note, the outcome.
        var timeline = page.Locator(".timeline li");
        await Expect(timeline.First).ToHaveAttributeAsync("data-type", "submitted");
        await Expect(timeline.Last).ToHaveAttributeAsync("data-type", "outcome");
        var approval = page.Locator(".timeline li[data-type='approval']");
        await Expect(approval).ToContainTextAsync("gate");
        await Expect(approval).ToContainTextAsync("approve");
        await Expect(approval).ToContainTextAsync("by alice");
        await Expect(approval).ToContainTextAsync("release window open");
        await Expect(page.Locator(".timeline li[data-type='attempt_ended']", new PageLocatorOptions { HasText = "impl" })).ToHaveCountAsync(1);
        await Expect(page.Locator(".artifacts tr[data-path='results/gate.md']")).ToBeVisibleAsync();
        await Screens.CaptureAsync(page, "task-detail", output);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_task_is_canceled_from_the_page_with_its_reason()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("cancel");
        await api.SubmitAsync(new { id, to = new[] { "gate" }, instructions = "Roll out to production." });
        await using var session = await OpenStandaloneAsync("task/" + id);
        var page = session.Page;
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "awaiting_approval");

        await page.FillAsync("#action-by", "bob");
        await page.FillAsync("#cancel-reason", "superseded by the next release");
        await page.ClickAsync("#cancel");

        await Expect(page.Locator(".actions output.result")).ToContainTextAsync("202 Accepted");
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "canceled");
        await Expect(page.Locator("#view")).ToContainTextAsync("superseded by the next release");
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();
        await Expect(page.Locator("#cancel-why")).ToContainTextAsync("the task has ended (canceled)");
        var view = await api.GetJsonAsync($"api/tasks/{id}");
        Assert.Equal(("canceled", "bob"), (view.GetProperty("outcome").GetProperty("state").GetString(), view.GetProperty("outcome").GetProperty("by").GetString()));
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_dead_lettered_role_is_replayed_from_the_dead_letter_view_and_the_new_task_is_linked()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("flaky");
        await api.SubmitAsync(new { id, to = new[] { "flaky" }, instructions = "Call the backend." });
        var listed = await api.WaitAsync($"api/deadletters?taskId={id}", page => page.GetProperty("items").GetArrayLength() == 1, "the dead letter");
        var deadLetterId = listed.GetProperty("items")[0].GetProperty("id").GetString()!;
        await File.WriteAllTextAsync(servers.FixedMarker, "the backend is back");

        await using var session = await OpenStandaloneAsync("deadletters?taskId=" + id);
        var page = session.Page;
        var card = page.Locator($"article.deadletter[data-id='{deadLetterId}']");
        await Expect(card.Locator("table.failures tbody tr")).ToHaveCountAsync(1);
        await Expect(card.Locator("table.failures")).ToContainTextAsync("permanent");
        await Expect(card.Locator("table.failures")).ToContainTextAsync("backend unavailable");
        await Screens.CaptureAsync(page, "deadletters", output);

        await card.Locator("button.replay").ClickAsync();
        await Expect(card.Locator(".confirm")).ToContainTextAsync($"Replay role flaky of task {id} as a new task?");
        await card.Locator(".confirm button.confirm-yes").ClickAsync();

        var replayLink = card.Locator("output.result a");
        await Expect(replayLink).ToHaveTextAsync(id + ".r1");
        await Expect(card.Locator(".links .replayed a")).ToHaveTextAsync(id + ".r1");
        await replayLink.ClickAsync();
        await Expect(page.Locator("#view h1 .id")).ToHaveTextAsync(id + ".r1");
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator("#view .summary")).ToContainTextAsync(deadLetterId);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_dead_letter_is_deleted_only_after_the_confirmation()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("gone");
        File.Delete(servers.FixedMarker);
        await api.SubmitAsync(new { id, to = new[] { "flaky" }, instructions = "Call the backend." });
        var listed = await api.WaitAsync($"api/deadletters?taskId={id}", page => page.GetProperty("items").GetArrayLength() == 1, "the dead letter");
        var deadLetterId = listed.GetProperty("items")[0].GetProperty("id").GetString()!;
        await using var session = await OpenStandaloneAsync("deadletters/" + Uri.EscapeDataString(deadLetterId));
        var page = session.Page;
        var card = page.Locator($"article.deadletter[data-id='{deadLetterId}']");

        await card.Locator("button.delete").ClickAsync();
        await card.Locator(".confirm button.confirm-no").ClickAsync();
        await api.GetJsonAsync($"api/deadletters/{Uri.EscapeDataString(deadLetterId)}");
        await card.Locator("button.delete").ClickAsync();
        await card.Locator(".confirm button.confirm-yes").ClickAsync();

        await Expect(card.Locator("output.result")).ToContainTextAsync("204: deleted");
        using var http = new HttpClient { BaseAddress = servers.Standalone.BaseAddress };
        using var gone = await http.GetAsync($"api/deadletters/{Uri.EscapeDataString(deadLetterId)}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_key_without_the_approve_scope_sees_approve_disabled_and_a_forced_call_shows_the_403_detail()
    {
        using var api = new ServerCalls(servers.Keyed.BaseAddress, DashboardServers.OperatorKey);
        var id = ServerCalls.NewId("scoped");
        await api.SubmitAsync(new { id, to = new[] { "gate" }, instructions = "Deploy." });

        // Without a key the page loads (it holds no data) and says plainly why it shows nothing.
        await using var session = await PageSession.OpenAsync(servers, servers.Keyed.BaseAddress, "task/" + id);
        var page = session.Page;
        await Expect(page.Locator("#banner")).ToContainTextAsync("401 Unauthorized");
        await session.UseKeyAsync("not-a-valid-key-at-all");
        await Expect(page.Locator("#banner")).ToContainTextAsync("401 Unauthorized: the key is not valid");

        await session.UseKeyAsync(DashboardServers.ViewerKey);
        await Expect(page.Locator("#key-status")).ToHaveTextAsync("key 'viewer': cancel, read");
        await Expect(page.Locator("#banner")).ToBeHiddenAsync();
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "awaiting_approval");
        await Expect(page.Locator("#approve")).ToBeDisabledAsync();
        await Expect(page.Locator("#reject")).ToBeDisabledAsync();
        await Expect(page.Locator("#approve-why")).ToContainTextAsync("needs the approve scope; key 'viewer' has cancel, read");
        await Expect(page.Locator("#cancel")).ToBeEnabledAsync();
        await Screens.CaptureAsync(page, "task-viewer-key", output);

        await page.EvalOnSelectorAsync("#approve", "button => { button.disabled = false; }");
        await page.ClickAsync("#approve");

        await Expect(page.Locator(".actions output.result")).ToContainTextAsync("403 Forbidden: key 'viewer' lacks the scope this request needs (approve or admin)");
        Assert.Equal("awaiting_approval", (await api.GetJsonAsync($"api/tasks/{id}")).GetProperty("state").GetString());
        // The key lives in this tab's sessionStorage only; the page sets no cookie.
        Assert.Equal(DashboardServers.ViewerKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('agentfunctions.key')"));
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("() => document.cookie"));
        Assert.Empty(await page.Context.CookiesAsync());

        await session.GoAsync("deadletters");
        await Expect(page.Locator("#view h1")).ToHaveTextAsync("Dead letters");
        session.AssertNoProblems();
    }

    [Fact]
    public async Task Agent_written_text_and_an_artifact_containing_a_script_tag_show_as_text()
    {
        const string Summary = "<img src=x id=injected-summary onerror=\"window.__xss = 'summary'\">";
        const string Artifact = "<script>window.__xss = 'artifact'</script><b id=injected-bold>bold?</b>\nline two";
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("xss");
        await api.SubmitAsync(new { id, to = new[] { "worker" }, instructions = "Write a page." });
        var lease = await api.LeaseAsync("worker", id);
        await api.PostOkAsync($"api/workers/worker/leases/{Uri.EscapeDataString(lease)}/complete", new
        {
            status = "completed",
            summary = Summary,
            result = "<script>window.__xss = 'result'</script>",
            artifacts = new[] { new { name = "page.html", content = Artifact, encoding = "utf-8" } },
        });

        await using var session = await OpenStandaloneAsync("task/" + id);
        var page = session.Page;
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator("tr[data-role='worker'] td[data-label='Summary']")).ToHaveTextAsync(Summary);

        await page.Locator(".artifacts tr[data-path='artifacts/worker/page.html'] button", new PageLocatorOptions { HasText = "Preview" }).ClickAsync();
        await Expect(page.Locator("pre.artifact-text")).ToHaveTextAsync(Artifact);
        await page.Locator(".artifacts tr[data-path='results/worker.md'] button", new PageLocatorOptions { HasText = "Preview" }).ClickAsync();
        await Expect(page.Locator("pre.artifact-text")).ToContainTextAsync("<script>window.__xss = 'result'</script>");

        Assert.Equal(0, await page.Locator("#view script, #view img, #injected-summary, #injected-bold").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        await Screens.CaptureAsync(page, "artifact-preview", output);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task The_roles_view_shows_each_roles_figures_charts_and_the_health()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("roles");
        await api.SubmitAsync(new { id, to = new[] { "impl" }, instructions = "Build." });
        await api.WaitAsync($"api/tasks/{id}", view => view.GetProperty("state").GetString() == "completed", "completed");

        await using var session = await OpenStandaloneAsync("roles");
        var page = session.Page;
        var card = page.Locator("article.role[data-role='impl']");
        await Expect(card.Locator(".stat", new LocatorLocatorOptions { HasText = "Succeeded" }).Locator("dd")).Not.ToHaveTextAsync("0");
        await Expect(card.Locator("figure.chart")).ToHaveCountAsync(2);
        await Expect(card.Locator(".stat", new LocatorLocatorOptions { HasText = "p95" })).ToBeVisibleAsync();
        await Expect(page.Locator("article.role[data-role='worker']")).ToContainTextAsync("remote worker", new LocatorAssertionsToContainTextOptions { IgnoreCase = true });
        await Expect(page.Locator("#view .badge").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(healthy|degraded)$"));
        await Scenarios.RolesShowRunnerKindsAsync(page);
        // A remote role carries the scaling hint; a role the server runs itself does not.
        await Expect(page.Locator("article.role[data-role='worker'] .stat", new PageLocatorOptions { HasText = "Desired workers" })).ToHaveCountAsync(1);
        await Expect(card.Locator(".stat", new LocatorLocatorOptions { HasText = "Desired workers" })).ToHaveCountAsync(0);
        await Expect(card.Locator(".chip.circuit")).ToHaveTextAsync("circuit closed");
        // A second sample draws the depth line.
        await Expect(card.Locator("figure.chart").First.Locator("polyline")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 20_000 });
        await Screens.CaptureAsync(page, "roles", output);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_long_timeline_shows_its_first_page_and_the_rest_on_request_through_the_continuation_token()
    {
        using var api = StandaloneCalls();
        var id = ServerCalls.NewId("pages");
        string[] roles = ["pager-a", "pager-b", "pager-c"];
        await api.SubmitAsync(new { id, to = roles, instructions = "Try until it works." });
        // Nine failed attempts and a tenth that succeeds per role: 20 events each, 62 with the submit and the outcome.
        foreach (var role in roles)
        {
            for (var attempt = 1; attempt <= 10; attempt++)
            {
                var lease = Uri.EscapeDataString(await api.LeaseAsync(role, id));
                await (attempt < 10
                    ? api.PostOkAsync($"api/workers/{role}/leases/{lease}/fail", new { reason = $"try {attempt} failed", permanent = false })
                    : api.PostOkAsync($"api/workers/{role}/leases/{lease}/complete", new { status = "completed", summary = "worked at last" }));
            }
        }

        await api.WaitAsync($"api/tasks/{id}", view => view.GetProperty("state").GetString() == "completed", "completed");
        var total = (await api.GetJsonAsync($"api/tasks/{id}/history?top=1000")).GetProperty("items").GetArrayLength();
        Assert.True(total > 50, $"the task has only {total} events; the test needs more than one page of 50");

        await using var session = await OpenStandaloneAsync("task/" + id);
        var page = session.Page;
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator(".timeline li")).ToHaveCountAsync(50);
        await page.ClickAsync("button.more");
        await Expect(page.Locator(".timeline li")).ToHaveCountAsync(total);
        await Expect(page.Locator("button.more")).ToHaveCountAsync(0);
        await Expect(page.Locator(".timeline li").Last).ToHaveAttributeAsync("data-type", "outcome");
        await Expect(page.Locator(".timeline li[data-type='attempt_ended']", new PageLocatorOptions { HasText = "try 9 failed" })).ToHaveCountAsync(3);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task A_task_shows_what_it_requires_why_it_waits_its_copyable_trace_id_and_the_secret_scans_warnings()
    {
        await Scenarios.RunAsync(servers, servers.Standalone.BaseAddress, Scenarios.TaskShowsRequirementsWaitReasonTraceAndWarningsAsync, output, "task-warnings");
    }

    [Fact]
    public async Task An_open_circuit_shows_as_the_held_roles_wait_reason_on_its_role_card_and_in_the_health_reasons()
    {
        await Scenarios.RunAsync(servers, servers.Standalone.BaseAddress, Scenarios.OpenCircuitShowsInTaskRolesAndHealthAsync, output, "roles-circuit-open");
    }

    [Fact]
    public async Task An_unhealthy_server_shows_its_503_report_with_the_reason_in_the_roles_view()
    {
        // A server that must keep more free space than any disk has refuses new work and reports itself unhealthy (503).
        var settings = servers.Roles();
        settings["Standalone:MinFreeBytes"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var server = await AgentFunctions.Testing.StandaloneServer.StartAsync(new AgentFunctions.Testing.StandaloneServerOptions { Settings = settings, WaitUntilHealthy = false });
        using (var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) })
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync("api/health");
                    if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                Assert.True(DateTime.UtcNow < deadline, "the server did not answer /api/health with 503 within 60 s; its output:\n" + server.Output);
                await Task.Delay(200);
            }
        }

        await using var session = await PageSession.OpenAsync(servers, server.BaseAddress, "roles");
        var page = session.Page;
        await Expect(page.Locator("#view [data-status]").First).ToHaveAttributeAsync("data-status", "unhealthy");
        await Expect(page.Locator("#view .badge").First).ToHaveTextAsync("unhealthy");
        await Expect(page.Locator("#view .reasons li").First).ToContainTextAsync("new work is refused");
        await Expect(page.Locator("article.role[data-role='impl']")).ToBeVisibleAsync();
        await Screens.CaptureAsync(page, "roles-unhealthy", output);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task The_first_load_comes_from_the_server_alone_without_a_csp_violation_and_its_weight_is_reported()
    {
        var finished = new List<IRequest>();
        await using var session = await OpenStandaloneAsync(beforeOpen: page =>
            page.RequestFinished += (_, request) =>
            {
                lock (finished)
                {
                    finished.Add(request);
                }
            });
        await Expect(session.Page.Locator("#view .counts .count")).ToHaveCountAsync(9);
        await session.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        List<IRequest> loaded;
        lock (finished)
        {
            loaded = [.. finished];
        }

        var (assets, assetRequests, api) = (0L, 0, 0L);
        foreach (var request in loaded)
        {
            Assert.StartsWith(servers.Standalone.Url + "/", request.Url, StringComparison.Ordinal);
            var size = await request.SizesAsync();
            var bytes = size.ResponseHeadersSize + size.ResponseBodySize;
            if (new Uri(request.Url).AbsolutePath.StartsWith("/api/dashboard", StringComparison.Ordinal))
            {
                (assets, assetRequests) = (assets + bytes, assetRequests + 1);
            }
            else
            {
                api += bytes;
            }
        }

        var line = $"dashboard first load: {assets} bytes in {assetRequests} requests for the page and its files, plus {api} bytes of API answers ({loaded.Count} requests in all; response headers + bodies as Chromium received them, gzip)";
        output.WriteLine(line);
        await File.WriteAllTextAsync(Path.Combine(TestResultsFolder.Path, "page-weight.txt"), line + Environment.NewLine + string.Join(Environment.NewLine, loaded.Select(r => r.Url)) + Environment.NewLine);
        Assert.InRange(assetRequests, 5, 30);
        Assert.InRange(assets, 1, 200 * 1024);
        session.AssertNoProblems();
    }
}
