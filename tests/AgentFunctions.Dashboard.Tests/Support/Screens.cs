using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>Screenshots of a view at 1280×800 and at a 390-wide phone viewport, where the view must not scroll sideways.</summary>
public static class Screens
{
    public const int WideWidth = 1280;
    public const int WideHeight = 800;
    public const int NarrowWidth = 390;
    public const int NarrowHeight = 844;

    /// <summary>Saves <c>&lt;name&gt;-1280x800.png</c> and <c>&lt;name&gt;-390.png</c> (full page) and writes their paths to the test's output.</summary>
    public static async Task CaptureAsync(IPage page, string name, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(output);
        var wide = System.IO.Path.Combine(TestResultsFolder.Path, $"{name}-1280x800.png");
        var narrow = System.IO.Path.Combine(TestResultsFolder.Path, $"{name}-390.png");
        await page.SetViewportSizeAsync(WideWidth, WideHeight);
        await Settle(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = wide });

        await page.SetViewportSizeAsync(NarrowWidth, NarrowHeight);
        await Settle(page);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"{name}: at {NarrowWidth} px wide the page scrolls sideways by {overflow} px");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = narrow, FullPage = true });

        await page.SetViewportSizeAsync(WideWidth, WideHeight);
        output.WriteLine("screenshot: " + wide);
        output.WriteLine("screenshot: " + narrow);
    }

    /// <summary>Two animation frames: layout after a viewport change is done before the picture is taken.</summary>
    private static Task Settle(IPage page) =>
        page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
}
