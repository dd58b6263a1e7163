using AgentFunctions.Hosting;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Browser;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>
/// Chromium, and what it drives: a Standalone server without keys (loopback only), one with scoped keys, and the
/// Functions engine on the real Durable runtime (in-memory backend, storage on its own Azurite).
/// </summary>
public sealed class DashboardServers : IAsyncLifetime
{
    public const string ViewerKey = "viewer-key-0123456789";
    public const string OperatorKey = "operator-key-0123456789";

    private StandaloneServer? _open;
    private StandaloneServer? _keyed;
    private AzuriteServer? _azurite;
    private FunctionsEngineHost? _functions;
    private ChromiumBrowser? _browser;

    /// <summary>The file whose presence makes the <c>flaky</c> role succeed (so a replay after "the fix" completes).</summary>
    public string FixedMarker { get; } = Path.Combine(TempPaths.NewDirectory("dashboard-marker"), "fixed");

    public StandaloneServer Standalone => _open!;

    public StandaloneServer Keyed => _keyed!;

    public FunctionsEngineHost Functions => _functions!;

    public ChromiumBrowser Browser => _browser!;

    /// <summary>
    /// <c>impl</c> echo; <c>gate</c> echo behind an approval; <c>worker</c> remote (the test is the worker);
    /// <c>flaky</c> fails permanently until <see cref="FixedMarker"/> exists; <c>breaker</c> always fails transiently,
    /// and its circuit breaker opens after two such failures and stays open for ten minutes (its attempts wait);
    /// <c>pager-a</c>..<c>pager-c</c> remote, ten attempts each with no wait between them and no breaker (a long history).
    /// </summary>
    public Dictionary<string, string> Roles() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Roles:impl:Runner"] = "echo",
        ["Roles:gate:Runner"] = "echo",
        ["Roles:gate:RequiresApproval"] = "true",
        ["Roles:worker:Runner"] = "remote",
        ["Roles:worker:LeaseSeconds"] = "60",
        ["Roles:flaky:Runner"] = "command",
        ["Roles:flaky:Command:0"] = "/bin/sh",
        ["Roles:flaky:Command:1"] = "-c",
        ["Roles:flaky:Command:2"] = $"test -f '{FixedMarker}' && echo 'fixed and done' || {{ echo 'backend unavailable' >&2; exit 3; }}",
        ["Roles:flaky:PermanentExitCodes:0"] = "3",
        ["Roles:breaker:Runner"] = "command",
        ["Roles:breaker:Command:0"] = "/bin/sh",
        ["Roles:breaker:Command:1"] = "-c",
        ["Roles:breaker:Command:2"] = "echo 'upstream refused the connection' >&2; exit 1",
        ["Roles:breaker:Retry:MaxAttempts"] = "10",
        ["Roles:breaker:Retry:FirstDelay"] = "00:00:00.2",
        ["Roles:breaker:Retry:MaxDelay"] = "00:00:00.2",
        ["Roles:breaker:CircuitBreaker:MinimumThroughput"] = "2",
        ["Roles:breaker:CircuitBreaker:BreakDuration"] = "600",
        ["Roles:pager-a:Runner"] = "remote",
        ["Roles:pager-a:Retry:MaxAttempts"] = "10",
        ["Roles:pager-a:Retry:FirstDelay"] = "00:00:00.001",
        ["Roles:pager-a:Retry:MaxDelay"] = "00:00:00.001",
        ["Roles:pager-a:CircuitBreaker:Enabled"] = "false",
        ["Roles:pager-b:Runner"] = "remote",
        ["Roles:pager-b:Retry:MaxAttempts"] = "10",
        ["Roles:pager-b:Retry:FirstDelay"] = "00:00:00.001",
        ["Roles:pager-b:Retry:MaxDelay"] = "00:00:00.001",
        ["Roles:pager-b:CircuitBreaker:Enabled"] = "false",
        ["Roles:pager-c:Runner"] = "remote",
        ["Roles:pager-c:Retry:MaxAttempts"] = "10",
        ["Roles:pager-c:Retry:FirstDelay"] = "00:00:00.001",
        ["Roles:pager-c:Retry:MaxDelay"] = "00:00:00.001",
        ["Roles:pager-c:CircuitBreaker:Enabled"] = "false",
    };

    public async Task InitializeAsync()
    {
        var browser = ChromiumBrowser.StartAsync();
        var open = StandaloneServer.StartAsync(Roles());
        var keyedSettings = Roles();
        keyedSettings["Auth:Keys:0:Name"] = "viewer";
        keyedSettings["Auth:Keys:0:Key"] = ViewerKey;
        keyedSettings["Auth:Keys:0:Scopes:0"] = "read";
        keyedSettings["Auth:Keys:0:Scopes:1"] = "cancel";
        keyedSettings["Auth:Keys:1:Name"] = "operator";
        keyedSettings["Auth:Keys:1:Key"] = OperatorKey;
        keyedSettings["Auth:Keys:1:Scopes:0"] = "admin";
        var keyed = StandaloneServer.StartAsync(keyedSettings);
        _azurite = await AzuriteServer.StartAsync();
        _functions = await FunctionsEngineHost.StartAsync(new FunctionsEngineOptions
        {
            Settings = new Dictionary<string, string?>(Roles().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), StringComparer.OrdinalIgnoreCase)
            {
                [StorageNames.Connection] = _azurite.ConnectionString,
            },
        });
        _open = await open;
        _keyed = await keyed;
        _browser = await browser;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_functions is not null)
        {
            await _functions.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        foreach (var server in new[] { _open, _keyed })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        TempPaths.TryDelete(Path.GetDirectoryName(FixedMarker)!);
    }
}
