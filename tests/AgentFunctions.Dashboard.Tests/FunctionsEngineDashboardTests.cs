using AgentFunctions.Dashboard.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AgentFunctions.Dashboard.Tests;

/// <summary>The same page served by the Functions engine on the real Durable runtime (FunctionsEngineHost).</summary>
[Collection(DashboardCollection.Name)]
public sealed class FunctionsEngineDashboardTests(DashboardServers servers, ITestOutputHelper output)
{
    static FunctionsEngineDashboardTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task The_functions_engine_serves_the_page_where_a_task_goes_live_to_completed_and_a_gated_one_is_approved()
    {
        var baseAddress = servers.Functions.BaseUrl;
        await using var session = await PageSession.OpenAsync(servers, baseAddress);
        var page = session.Page;
        await Expect(page.Locator("#key-status")).ToHaveTextAsync("key checked by the host: every route");
        await Expect(page.Locator("#view .counts .count")).ToHaveCountAsync(9);
        using var api = new ServerCalls(baseAddress);
        var plain = ServerCalls.NewId("fn-live");
        var gated = ServerCalls.NewId("fn-gate");

        await api.SubmitAsync(new { id = plain, to = new[] { "impl" }, type = "build", instructions = "Build it." });
        await api.SubmitAsync(new { id = gated, to = new[] { "gate" }, type = "release", instructions = "Release it." });

        await Expect(page.Locator($"tr[data-id='{plain}']")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator($"tr[data-id='{gated}']")).ToHaveAttributeAsync("data-state", "awaiting_approval");
        await Screens.CaptureAsync(page, "functions-tasks", output);

        await page.ClickAsync($"tr[data-id='{gated}'] a.id");
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "awaiting_approval");
        await page.FillAsync("#action-by", "carol");
        await page.ClickAsync("#approve");
        await Expect(page.Locator(".actions output.result")).ToContainTextAsync("202 Accepted");
        await Expect(page.Locator("#view")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator(".artifacts tr[data-path='results/gate.md']")).ToBeVisibleAsync();
        // The timeline comes from the orchestration's Durable history, in the same events as the Standalone journal.
        await Expect(page.Locator(".timeline li").First).ToHaveAttributeAsync("data-type", "submitted");
        await Expect(page.Locator(".timeline li[data-type='approval']")).ToContainTextAsync("by carol");
        await Expect(page.Locator(".timeline li").Last).ToHaveAttributeAsync("data-type", "outcome");
        await Screens.CaptureAsync(page, "functions-task-detail", output);

        await session.GoAsync("roles");
        await Expect(page.Locator("article.role[data-role='impl']")).ToBeVisibleAsync();
        await Expect(page.Locator("#view dl.facts dd").Nth(1)).ToHaveTextAsync("durable");
        await Scenarios.RolesShowRunnerKindsAsync(page);
        session.AssertNoProblems();
    }

    [Fact]
    public async Task The_functions_engine_page_shows_requirements_wait_reason_trace_id_and_warnings()
    {
        await Scenarios.RunAsync(servers, servers.Functions.BaseUrl, Scenarios.TaskShowsRequirementsWaitReasonTraceAndWarningsAsync, output);
    }

    [Fact]
    public async Task The_functions_engine_page_shows_an_open_circuit_and_the_degraded_health()
    {
        await Scenarios.RunAsync(servers, servers.Functions.BaseUrl, Scenarios.OpenCircuitShowsInTaskRolesAndHealthAsync, output, "functions-roles-circuit-open");
    }
}
