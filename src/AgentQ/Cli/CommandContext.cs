using System.CommandLine;
using AgentQ.Config;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Cli;

/// <summary>Everything a command's action needs: output, environment, and the client (connected on first use).</summary>
public sealed class CommandContext : IDisposable
{
    private readonly Lazy<ConnectionSettings> _connection;
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
        var overrides = new ConnectionOverrides(parseResult.GetValue(globals.Url), parseResult.GetValue(globals.Key), parseResult.GetValue(globals.Profile));
        _connection = new Lazy<ConnectionSettings>(() => ConnectionResolver.Resolve(overrides, runtime.Environment, runtime.Stderr));
        _client = new Lazy<AgentQClient>(() => new AgentQClient(_connection.Value, runtime.HttpHandler));
    }

    public ParseResult ParseResult { get; }

    public CliRuntime Runtime { get; }

    public ICliEnvironment Environment { get; }

    public CliOutput Output { get; }

    public ConnectionSettings Connection => _connection.Value;

    public AgentQClient Client => _client.Value;

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
