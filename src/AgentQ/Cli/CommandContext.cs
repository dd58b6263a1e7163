using System.CommandLine;
using AgentQ.Config;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Cli;

/// <summary>Everything a command's action needs: output, environment, and the client (connected on first use).</summary>
public sealed class CommandContext : IDisposable
{
    private readonly Lazy<ConnectionSettings> _connection;
    private ConnectionOverrides _overrides;
    private readonly Lazy<AgentQClient> _client;

    public CommandContext(ParseResult parseResult, GlobalOptions globals, CliRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(globals);
        ArgumentNullException.ThrowIfNull(runtime);
        ParseResult = parseResult;
        Runtime = runtime;
        Environment = runtime.Environment;
        Output = new CliOutput(runtime.Stdout, runtime.Stderr, parseResult.GetValue(globals.Json), runtime.Environment.StdoutIsTerminal);
        _overrides = new ConnectionOverrides(parseResult.GetValue(globals.Url), parseResult.GetValue(globals.Key), parseResult.GetValue(globals.Profile));
        _connection = new Lazy<ConnectionSettings>(() => ConnectionResolver.Resolve(_overrides, runtime.Environment, runtime.Stderr));
        _client = new Lazy<AgentQClient>(() => new AgentQClient(_connection.Value, runtime.HttpHandler));
    }

    public ParseResult ParseResult { get; }

    public CliRuntime Runtime { get; }

    public ICliEnvironment Environment { get; }

    public CliOutput Output { get; }

    public ConnectionSettings Connection => _connection.Value;

    public AgentQClient Client => _client.Value;

    /// <summary>
    /// A URL and profile from a config file, used where --url and --profile were not given (so they beat AGENTQ_URL and
    /// AGENTQ_PROFILE); call before the connection is first used.
    /// </summary>
    public void UseConnectionDefaults(string? url, string? profile)
    {
        if (_connection.IsValueCreated)
        {
            throw new InvalidOperationException("The connection is already in use.");
        }

        _overrides = _overrides with { Url = _overrides.Url ?? url, Profile = _overrides.Profile ?? profile };
    }

    /// <summary>
    /// Points the connection at the server a lease was taken from (<paramref name="server"/>, with the profile it was
    /// taken with): a lease is only ever settled with the server that granted it. An explicit --url naming another server
    /// is refused (exit 2); AGENTQ_URL naming another server is set aside, and so is AGENTQ_KEY with it (that key belongs
    /// to the other server). Call before the connection is first used.
    /// </summary>
    public void UseLeaseServer(string server, string? profile, string taskId)
    {
        if (_connection.IsValueCreated)
        {
            throw new InvalidOperationException("The connection is already in use.");
        }

        var granted = new Uri(server);
        if (_overrides.Url is { } given && !AgentQClient.SameServer(given, granted))
        {
            throw CliException.Usage($"--url {given} is not the server the lease on task '{taskId}' came from ({server}); leave --url out, the lease goes to its own server");
        }

        // AGENTQ_KEY goes with AGENTQ_URL: never send it to another server.
        var otherEnvironmentServer = Environment.GetVariable(ConnectionResolver.UrlVariable) is { Length: > 0 } environmentUrl && !AgentQClient.SameServer(environmentUrl, granted);
        _overrides = _overrides with { Url = server, Profile = _overrides.Profile ?? profile, SkipEnvironmentKey = otherEnvironmentServer };
    }

    /// <summary>Whether <paramref name="option"/> was on the command line (not just its default).</summary>
    public bool Given(Option option) => ParseResult.GetResult(option) is { Implicit: false };

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    /// <summary>Who decides or asks: <c>AGENTQ_BY</c>, else the login name.</summary>
    public string DefaultActor() =>
        Environment.GetVariable("AGENTQ_BY") is { Length: > 0 } by ? by
        : Environment.GetVariable("USER") is { Length: > 0 } user ? user
        : Environment.GetVariable("USERNAME") is { Length: > 0 } name ? name
        : "agentq";

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
