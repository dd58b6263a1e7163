using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Roles;

/// <summary>A validated role from configuration: its runner, the runner's options and its limits.</summary>
public sealed record RoleDefinition
{
    /// <summary><c>Roles:&lt;name&gt;:MaxLeaseSeconds</c> when it is not set: four hours.</summary>
    public static readonly TimeSpan DefaultMaxLeaseDuration = TimeSpan.FromHours(4);

    /// <summary>The longest lease configuration may allow: a week, the longest an Azure Storage queue message can stay invisible.</summary>
    public const int LeaseSecondsCap = 7 * 24 * 3600;

    public required string Name { get; init; }

    public required RunnerKind Runner { get; init; }

    /// <summary>argv for <see cref="RunnerKind.Command"/>; <c>{input}</c> stands for the prompt.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    /// <summary>Exit codes that mean "do not retry" for <see cref="RunnerKind.Command"/>.</summary>
    public IReadOnlyList<int> PermanentExitCodes { get; init; } = [];

    /// <summary>Agent endpoint for <see cref="RunnerKind.Http"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>OpenAI-compatible base URL, e.g. https://api.openai.com/v1.</summary>
    public Uri? BaseUrl { get; init; }

    public string? Model { get; init; }

    public string? ApiKey { get; init; }

    public string? SystemPrompt { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts of this role that may run at once on one host.</summary>
    public int Concurrency { get; init; } = 4;

    public bool RequiresApproval { get; init; }

    /// <summary>How long a remote worker holds an attempt between heartbeats, unless it asks for another length.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest lease a worker may ask for (an agent working by hand holds an attempt for hours).</summary>
    public TimeSpan MaxLeaseDuration { get; init; } = DefaultMaxLeaseDuration;

    /// <summary>Caps stdout/stderr of commands and bodies of HTTP answers.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    public RetrySchedule Retry { get; init; } = RetrySchedule.Default;

    /// <summary>
    /// What this host's runner of the role can do (<c>Roles:&lt;name&gt;:Capabilities:0..n</c>): a local role runs only
    /// attempts whose <c>requires</c> these cover. Remote workers say what they can do when they lease.
    /// </summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    public CircuitBreakerOptions CircuitBreaker { get; init; } = CircuitBreakerOptions.Default;

    public RoleAlertOptions Alerts { get; init; } = RoleAlertOptions.Default;
}
