using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>Page checks that run the same against both hosts (the Standalone server and the Functions engine).</summary>
public static class Scenarios
{
    /// <summary>A GitHub-shaped token (not a real one): the secret scan redacts it from a worker's result and warns.</summary>
    public const string FakeToken = "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345";

    /// <summary>
    /// Runs <paramref name="scenario"/> on a page opened on the server at <paramref name="baseAddress"/>, with calls to
    /// the same server; then captures <paramref name="screenshot"/> when one is named, and fails if the page reported a problem.
    /// </summary>
    public static async Task RunAsync(DashboardServers servers, Uri baseAddress, Func<PageSession, ServerCalls, Task> scenario, ITestOutputHelper output, string? screenshot = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        await using var session = await PageSession.OpenAsync(servers, baseAddress);
        using var api = new ServerCalls(baseAddress);
        await scenario(session, api);
        if (screenshot is not null)
        {
            await Screens.CaptureAsync(session.Page, screenshot, output);
        }

        session.AssertNoProblems();
    }

    /// <summary>
    /// A task that needs a capability no worker has shows <c>requires</c> and its <c>waitReason</c>, and its trace id,
    /// which the Copy button puts on the clipboard; a worker result with a secret shows the server's warnings.
    /// </summary>
    public static async Task TaskShowsRequirementsWaitReasonTraceAndWarningsAsync(PageSession session, ServerCalls api)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(api);
        var page = session.Page;
        var waiting = ServerCalls.NewId("needs");
        await api.SubmitAsync(new { id = waiting, to = new[] { "worker" }, requires = new[] { "database" }, instructions = "Migrate the schema." });
        var view = await api.WaitAsync($"api/tasks/{waiting}", v => v.GetProperty("roles")[0].TryGetProperty("waitReason", out _), "the role's waitReason");
        var traceId = view.GetProperty("traceId").GetString()!;

        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = session.Origin.GetLeftPart(UriPartial.Authority) });
        await session.GoAsync("task/" + waiting);
        var role = page.Locator("tr[data-role='worker']");
        await Expect(role.Locator(".wait-reason")).ToHaveTextAsync("waiting for a worker with: database");
        await Expect(role.Locator(".requires .chip")).ToHaveTextAsync("needs database");
        await Expect(page.Locator("#trace-id")).ToHaveTextAsync(traceId);
        await page.ClickAsync("#copy-trace");
        await Expect(page.Locator("#copy-trace")).ToHaveTextAsync("Copied");
        Assert.Equal(traceId, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(page.Locator(".timeline li[data-type='submitted']")).ToHaveCountAsync(1);
        await api.PostOkAsync($"api/tasks/{waiting}/cancel", new { by = "dashboard-test", reason = "no database worker in this test" });

        var redacted = ServerCalls.NewId("redact");
        await api.SubmitAsync(new { id = redacted, to = new[] { "worker" }, instructions = "Deploy." });
        var lease = await api.LeaseAsync("worker", redacted);
        await api.PostOkAsync($"api/workers/worker/leases/{Uri.EscapeDataString(lease)}/complete", new { status = "completed", summary = "Deployed with " + FakeToken + " as the credential." });
        view = await api.WaitAsync($"api/tasks/{redacted}", v => v.GetProperty("state").GetString() == "completed", "completed");
        var warnings = view.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray();
        Assert.NotEmpty(warnings);

        await session.GoAsync("task/" + redacted);
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator(".warnings li")).ToHaveTextAsync(warnings);
        await Expect(page.Locator("tr[data-role='worker'] td[data-label='Summary']")).ToContainTextAsync("[REDACTED:github_token]");
        await Expect(page.Locator("#view")).Not.ToContainTextAsync(FakeToken);
        await Expect(page.Locator(".timeline li[data-type='attempt_ended'] .chip")).ToHaveTextAsync("succeeded");
    }

    /// <summary>
    /// The <c>breaker</c> role fails until its circuit opens: the task view says its attempt is held, the timeline lists
    /// the hold, the roles view shows the open circuit, and the health is degraded with the circuit's reason.
    /// </summary>
    public static async Task OpenCircuitShowsInTaskRolesAndHealthAsync(PageSession session, ServerCalls api)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(api);
        var page = session.Page;
        var id = ServerCalls.NewId("held");
        await api.SubmitAsync(new { id, to = new[] { "breaker" }, instructions = "Call the upstream." });
        await api.WaitAsync($"api/tasks/{id}", v => v.GetProperty("roles")[0].TryGetProperty("waitReason", out var reason) && reason.GetString()!.Contains("circuit breaker", StringComparison.Ordinal), "the circuit breaker's hold");

        await session.GoAsync("task/" + id);
        await Expect(page.Locator("tr[data-role='breaker'] .wait-reason")).ToContainTextAsync("held by the circuit breaker of role 'breaker' until");
        await Expect(page.Locator(".timeline li[data-type='circuit_held']").First).ToContainTextAsync("circuit-breaker");
        await Expect(page.Locator(".timeline li[data-type='attempt_ended']").First).ToContainTextAsync("upstream refused the connection");

        await session.GoAsync("roles");
        var card = page.Locator("article.role[data-role='breaker']");
        await Expect(card.Locator(".chip.circuit")).ToHaveTextAsync("circuit open");
        await Expect(card.Locator(".circuit-facts")).ToContainTextAsync("attempts failed in the window");
        await Expect(page.Locator("#view [data-status]").First).ToHaveAttributeAsync("data-status", "degraded");
        await Expect(page.Locator("#view .reasons li", new PageLocatorOptions { HasText = "role 'breaker': the circuit breaker is open" })).ToHaveCountAsync(1);
        await Expect(page.Locator("table.alerts tr[data-role='breaker'][data-kind='circuit_open']")).ToHaveCountAsync(1);
        await api.PostOkAsync($"api/tasks/{id}/cancel", new { by = "dashboard-test", reason = "the upstream stays down in this test" });
    }

    /// <summary>Runner kinds and capabilities from GET /api/roles on the role cards.</summary>
    public static async Task RolesShowRunnerKindsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Expect(page.Locator("article.role[data-role='impl'] .chip.runner")).ToHaveTextAsync("echo");
        await Expect(page.Locator("article.role[data-role='worker'] .chip.runner")).ToHaveTextAsync("remote");
        await Expect(page.Locator("article.role[data-role='breaker'] .chip.runner")).ToHaveTextAsync("command");
        await Expect(page.Locator("article.role[data-role='impl'] .catalog")).ToContainTextAsync("runner echo");
    }
}
