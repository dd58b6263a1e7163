using System.Collections.Concurrent;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Builds the in-process runner of a role (echo, command, http, openai); null for remote roles, whose
/// attempts are pulled by workers. Runners are stateless per attempt, so one per role is kept and reused
/// until the role's definition changes.
/// </summary>
public sealed class AgentRunnerFactory : IAgentRunnerFactory
{
    /// <summary>The named <see cref="HttpClient"/> the http and openai runners use.</summary>
    public const string HttpClientName = "AgentFunctions.Runners";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TaskLimits _limits;
    private readonly AgentProcess _process;
    private readonly RunnerScratch? _scratch;
    private readonly EchoRunner _echo = new();
    private readonly ConcurrentDictionary<string, (RoleDefinition Role, IAgentRunner Runner)> _runners = new(StringComparer.Ordinal);

    /// <param name="scratch">Where command attempts' artifact folders go (a host's data directory); null for the system's temp folder.</param>
    /// <param name="processGroups">
    /// Where the process groups of running command attempts are recorded, so a host can kill those a crash left behind;
    /// null keeps no record. Command programs run in a group of their own and die with the host either way.
    /// </param>
    public AgentRunnerFactory(IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory, TaskLimits limits, RunnerScratch? scratch = null, IProcessGroupLedger? processGroups = null)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(limits);
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _limits = limits;
        _scratch = scratch;
        _process = new AgentProcess(timeProvider, loggerFactory.CreateLogger<AgentProcess>(), ProcessIsolation.Isolated with { Ledger = processGroups });
    }

    public IAgentRunner? Create(RoleDefinition role)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (role.Runner == RunnerKind.Remote)
        {
            return null;
        }

        if (_runners.TryGetValue(role.Name, out var cached) && cached.Role == role)
        {
            return cached.Runner;
        }

        // A changed definition (configuration reload) gets a fresh runner; a race merely builds one twice.
        var runner = new TracedRunner(Build(role), role.Runner);
        _runners[role.Name] = (role, runner);
        return runner;
    }

    private IAgentRunner Build(RoleDefinition role) => role.Runner switch
    {
        RunnerKind.Echo => _echo,
        RunnerKind.Command => new CommandRunner(role, _process, _limits, _loggerFactory.CreateLogger<CommandRunner>(), _scratch),
        RunnerKind.Http => new HttpAgentRunner(role, _httpClientFactory, _timeProvider, _loggerFactory.CreateLogger<HttpAgentRunner>()),
        RunnerKind.OpenAi => new OpenAiChatRunner(role, _httpClientFactory, _timeProvider, _loggerFactory.CreateLogger<OpenAiChatRunner>()),
        _ => throw new ArgumentOutOfRangeException(nameof(role), role.Runner, $"Role '{role.Name}' has an unknown runner."),
    };
}
