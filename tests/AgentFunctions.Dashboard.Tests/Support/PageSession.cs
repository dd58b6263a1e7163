using Microsoft.Playwright;

namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>
/// One page in a fresh browser context, opened on a server's dashboard. Collects what the page reported that a test
/// must fail on: console errors (a CSP violation is one), uncaught exceptions, and requests to another origin.
/// </summary>
public sealed class PageSession : IAsyncDisposable
{
    private readonly List<string> _problems = [];

    private PageSession(IPage page, Uri origin)
    {
        Page = page;
        Origin = origin;
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsAnsweredError(message.Text))
            {
                Record("console error: " + message.Text);
            }
        };
        page.PageError += (_, error) => Record("uncaught: " + error);
        page.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            if (url.Scheme is "http" or "https" && url.GetLeftPart(UriPartial.Authority) != origin.GetLeftPart(UriPartial.Authority))
            {
                Record("request to another origin: " + request.Url);
            }
        };
    }

    public IPage Page { get; }

    public Uri Origin { get; }

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Opens <c>/api/dashboard#/&lt;route&gt;</c> of the server at <paramref name="baseAddress"/>.</summary>
    public static async Task<PageSession> OpenAsync(DashboardServers servers, Uri baseAddress, string route = "tasks", string? key = null, Action<IPage>? beforeOpen = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var page = await servers.Browser.NewPageAsync(Screens.WideWidth, Screens.WideHeight);
        var session = new PageSession(page, baseAddress);
        beforeOpen?.Invoke(page);
        await page.GotoAsync(new Uri(baseAddress, "api/dashboard#/" + route).ToString());
        if (key is not null)
        {
            await session.UseKeyAsync(key);
        }

        return session;
    }

    public async Task UseKeyAsync(string key)
    {
        await Page.FillAsync("#key-input", key);
        await Page.ClickAsync("#key-form button[type=submit]");
    }

    public Task GoAsync(string route) => Page.EvaluateAsync("r => { location.hash = '#/' + r; }", route);

    /// <summary>Fails with what the page reported, if anything.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, "the page reported: " + string.Join(" | ", Problems));

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();

    /// <summary>Chromium logs every 4xx/5xx answer as a console error; those are answers the page shows, not faults.</summary>
    private static bool IsAnsweredError(string text) => text.StartsWith("Failed to load resource: the server responded with a status of", StringComparison.Ordinal);

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
