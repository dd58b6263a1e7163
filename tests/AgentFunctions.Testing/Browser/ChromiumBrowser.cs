using Microsoft.Playwright;

namespace AgentFunctions.Testing.Browser;

/// <summary>
/// Headless Chromium (the machine's own, see <see cref="ChromiumLocator"/>) under Playwright. Each launch gets a
/// fresh profile directory from Playwright; each <see cref="NewPageAsync"/> a fresh context (no cache, no storage,
/// no cookies), so a test sees a first visit. Disposing closes the browser and stops Playwright's driver.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    /// <summary>What works in this sandbox: no GPU, no sandbox (root), and nothing that calls out to the internet.</summary>
    public static readonly IReadOnlyList<string> LaunchArguments =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser, string executablePath)
    {
        _playwright = playwright;
        Browser = browser;
        ExecutablePath = executablePath;
    }

    public IBrowser Browser { get; }

    public string ExecutablePath { get; }

    /// <exception cref="BrowserUnavailableException">No Chromium on the machine and none could be installed.</exception>
    public static async Task<ChromiumBrowser> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = await ChromiumLocator.FindOrInstallAsync(TimeSpan.FromMinutes(10), cancellationToken);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                ChromiumSandbox = false,
                Args = LaunchArguments,
                Timeout = 60_000,
            });
            return new ChromiumBrowser(playwright, browser, executable);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A page in a fresh context of the given viewport size (1280×800 unless given).</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
