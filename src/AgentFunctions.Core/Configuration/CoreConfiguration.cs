using System.Globalization;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Tasks;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Configuration;

/// <summary>
/// Loads the configuration both hosts share (<c>Roles</c>, <c>Workflow</c>, <c>Limits</c>) and
/// validates it; invalid values throw <see cref="InvalidConfigurationException"/> naming each key.
/// </summary>
public static class CoreConfiguration
{
    public const string RolesSection = "Roles";

    private static readonly string RunnerNames = string.Join(", ", Enum.GetValues<RunnerKind>().Select(RunnerName));

    public static string RunnerName(RunnerKind kind) => kind.ToString().ToLowerInvariant();

    public static RoleCatalog LoadRoles(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader();
        var roles = new List<RoleDefinition>();
        foreach (var section in configuration.GetSection(RolesSection).GetChildren())
        {
            var role = ReadRole(section, reader);
            if (role is not null)
            {
                roles.Add(role);
            }
        }

        reader.ThrowIfAny();
        return new RoleCatalog(roles);
    }

    public static WorkflowOptions LoadWorkflow(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader();
        var section = configuration.GetSection(WorkflowOptions.SectionName);
        var defaults = new WorkflowOptions();
        var options = new WorkflowOptions
        {
            ApprovalTimeout = reader.TimeSpan(section, "ApprovalTimeout", defaults.ApprovalTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)),
        };
        reader.ThrowIfAny();
        return options;
    }

    /// <summary>The <c>Security</c> section: <c>Security:SecretScan</c> (Reject, Flag or Off; Reject when absent).</summary>
    public static SecurityOptions LoadSecurity(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader();
        var section = configuration.GetSection(SecurityOptions.SectionName);
        var options = new SecurityOptions
        {
            SecretScan = reader.Enum(section, nameof(SecurityOptions.SecretScan), SecurityOptions.Default.SecretScan),
        };
        reader.ThrowIfAny();
        return options;
    }

    public static TaskLimits LoadLimits(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader();
        var section = configuration.GetSection(TaskLimits.SectionName);
        var defaults = new TaskLimits();
        var limits = new TaskLimits
        {
            MaxRolesPerTask = reader.Number(section, nameof(TaskLimits.MaxRolesPerTask), defaults.MaxRolesPerTask, 1, 256),
            MaxContextBytes = reader.Number(section, nameof(TaskLimits.MaxContextBytes), defaults.MaxContextBytes, 0, 64 * 1024 * 1024),
            MaxSpecBytes = reader.Number(section, nameof(TaskLimits.MaxSpecBytes), defaults.MaxSpecBytes, 1024, 16 * 1024 * 1024),
            MinTtlSeconds = reader.Number(section, nameof(TaskLimits.MinTtlSeconds), defaults.MinTtlSeconds, 1, int.MaxValue),
            MaxTtlSeconds = reader.Number(section, nameof(TaskLimits.MaxTtlSeconds), defaults.MaxTtlSeconds, 1, int.MaxValue),
            MaxArtifactBytes = reader.Number(section, nameof(TaskLimits.MaxArtifactBytes), defaults.MaxArtifactBytes, 1, 1L << 34),
        };
        if (limits.MinTtlSeconds > limits.MaxTtlSeconds)
        {
            reader.Problem(section.GetSection(nameof(TaskLimits.MinTtlSeconds)), $"must not exceed {section.Path}:{nameof(TaskLimits.MaxTtlSeconds)} ({limits.MaxTtlSeconds})");
        }

        reader.ThrowIfAny();
        return limits;
    }

    private static RoleDefinition? ReadRole(IConfigurationSection section, ConfigurationReader reader)
    {
        var name = section.Key;
        if (!Identifiers.IsValidRole(name))
        {
            reader.Problem(section, $"'{name}' is not a valid role name ({Identifiers.RolePattern})");
            return null;
        }

        var runnerText = reader.String(section, "Runner");
        RunnerKind runner;
        if (runnerText is null)
        {
            reader.Problem(section.GetSection("Runner"), $"is required (one of {RunnerNames})");
            return null;
        }

        if (!TryParseRunner(runnerText, out runner))
        {
            reader.Problem(section.GetSection("Runner"), $"must be one of {RunnerNames} (got '{runnerText}')");
            return null;
        }

        var defaults = new RoleDefinition { Name = name, Runner = runner };
        var command = ConfigurationReader.Indexed(section, "Command").Select(child => child.Value ?? string.Empty).ToList();
        var permanentCodes = new List<int>();
        foreach (var child in ConfigurationReader.Indexed(section, "PermanentExitCodes"))
        {
            if (int.TryParse(child.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) && code is > 0 and < 256)
            {
                permanentCodes.Add(code);
            }
            else
            {
                reader.Problem(child, $"'{child.Value}' is not an exit code between 1 and 255");
            }
        }

        var role = defaults with
        {
            Command = command,
            WorkingDirectory = reader.String(section, "WorkingDirectory"),
            PermanentExitCodes = permanentCodes,
            Url = reader.AbsoluteHttpUri(section, "Url"),
            BaseUrl = reader.AbsoluteHttpUri(section, "BaseUrl"),
            Model = reader.String(section, "Model"),
            ApiKey = reader.String(section, "ApiKey"),
            SystemPrompt = reader.String(section, "SystemPrompt"),
            Timeout = TimeSpan.FromSeconds(reader.Number(section, "TimeoutSeconds", (int)defaults.Timeout.TotalSeconds, 1, 7 * 24 * 3600)),
            Concurrency = reader.Number(section, "Concurrency", defaults.Concurrency, 1, 1024),
            RequiresApproval = reader.Bool(section, "RequiresApproval", defaults.RequiresApproval),
            LeaseDuration = TimeSpan.FromSeconds(reader.Number(section, "LeaseSeconds", (int)defaults.LeaseDuration.TotalSeconds, 1, RoleDefinition.LeaseSecondsCap)),
            MaxLeaseDuration = TimeSpan.FromSeconds(reader.Number(section, "MaxLeaseSeconds", (int)defaults.MaxLeaseDuration.TotalSeconds, 1, RoleDefinition.LeaseSecondsCap)),
            MaxOutputBytes = reader.Number(section, "MaxOutputBytes", defaults.MaxOutputBytes, 1024, 64 * 1024 * 1024),
            Retry = ReadRetry(section.GetSection("Retry"), reader),
            Capabilities = ReadCapabilities(section, reader),
            CircuitBreaker = ReadCircuitBreaker(section.GetSection("CircuitBreaker"), reader),
            Alerts = ReadAlerts(section.GetSection("Alerts"), reader),
        };

        if (role.LeaseDuration > role.MaxLeaseDuration)
        {
            reader.Problem(section.GetSection("LeaseSeconds"), string.Create(CultureInfo.InvariantCulture,
                $"must not exceed {section.Path}:MaxLeaseSeconds ({(int)role.MaxLeaseDuration.TotalSeconds}); raise MaxLeaseSeconds to allow longer leases"));
        }

        switch (runner)
        {
            case RunnerKind.Command when command.Count == 0 || string.IsNullOrWhiteSpace(command[0]):
                reader.Problem(section.GetSection("Command"), "is required for the command runner: the program and its arguments as Command:0..n");
                break;
            case RunnerKind.Http when role.Url is null && section["Url"] is null:
                reader.Problem(section.GetSection("Url"), "is required for the http runner");
                break;
            case RunnerKind.OpenAi:
                if (role.BaseUrl is null && section["BaseUrl"] is null)
                {
                    reader.Problem(section.GetSection("BaseUrl"), "is required for the openai runner (e.g. https://api.openai.com/v1)");
                }

                if (role.Model is null)
                {
                    reader.Problem(section.GetSection("Model"), "is required for the openai runner");
                }

                break;
        }

        return role;
    }

    private static RetrySchedule ReadRetry(IConfigurationSection section, ConfigurationReader reader)
    {
        var defaults = RetrySchedule.Default;
        var schedule = new RetrySchedule
        {
            MaxAttempts = reader.Number(section, "MaxAttempts", defaults.MaxAttempts, 1, RetrySchedule.AttemptsCap),
            // Durable Functions rejects a zero first retry interval, so the floor is one millisecond.
            FirstDelay = reader.TimeSpan(section, "FirstDelay", defaults.FirstDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
            BackoffCoefficient = reader.Number(section, "BackoffCoefficient", defaults.BackoffCoefficient, 1.0, 100.0),
            MaxDelay = reader.TimeSpan(section, "MaxDelay", defaults.MaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
        };
        if (schedule.MaxDelay < schedule.FirstDelay)
        {
            reader.Problem(section.GetSection("MaxDelay"), $"must not be shorter than {section.Path}:FirstDelay ({schedule.FirstDelay:c})");
        }

        return schedule;
    }

    private static List<string> ReadCapabilities(IConfigurationSection role, ConfigurationReader reader)
    {
        var capabilities = new List<string>();
        foreach (var child in ConfigurationReader.Indexed(role, "Capabilities"))
        {
            var name = child.Value?.Trim();
            if (!Identifiers.IsValidCapability(name))
            {
                reader.Problem(child, $"'{child.Value}' is not a valid capability name ({Identifiers.CapabilityPattern})");
            }
            else if (!capabilities.Contains(name!, StringComparer.Ordinal))
            {
                capabilities.Add(name!);
            }
        }

        if (capabilities.Count > Identifiers.MaxCapabilities)
        {
            reader.Problem(role.GetSection("Capabilities"), $"names {capabilities.Count} capabilities; at most {Identifiers.MaxCapabilities} are allowed");
        }

        return capabilities;
    }

    private static CircuitBreakerOptions ReadCircuitBreaker(IConfigurationSection section, ConfigurationReader reader)
    {
        var defaults = CircuitBreakerOptions.Default;
        return new CircuitBreakerOptions
        {
            Enabled = reader.Bool(section, nameof(CircuitBreakerOptions.Enabled), defaults.Enabled),
            FailureRatio = reader.Number(section, nameof(CircuitBreakerOptions.FailureRatio), defaults.FailureRatio, 0.01, 1.0),
            MinimumThroughput = reader.Number(section, nameof(CircuitBreakerOptions.MinimumThroughput), defaults.MinimumThroughput, 1, 100_000),
            SamplingDuration = reader.Duration(section, nameof(CircuitBreakerOptions.SamplingDuration), defaults.SamplingDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            BreakDuration = reader.Duration(section, nameof(CircuitBreakerOptions.BreakDuration), defaults.BreakDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)),
        };
    }

    private static RoleAlertOptions ReadAlerts(IConfigurationSection section, ConfigurationReader reader) => new()
    {
        MaxDepth = reader.OptionalNumber(section, nameof(RoleAlertOptions.MaxDepth), 0, int.MaxValue),
        MaxOldestWaitSeconds = reader.OptionalNumber(section, nameof(RoleAlertOptions.MaxOldestWaitSeconds), 0.0, 365.0 * 24 * 3600),
        MaxFailureRatio = reader.OptionalNumber(section, nameof(RoleAlertOptions.MaxFailureRatio), 0.0, 1.0),
        MaxDeadLettersPerHour = reader.OptionalNumber(section, nameof(RoleAlertOptions.MaxDeadLettersPerHour), 0, int.MaxValue),
        TargetDrainSeconds = reader.Number(section, nameof(RoleAlertOptions.TargetDrainSeconds), RoleAlertOptions.DefaultTargetDrainSeconds, 1, 7 * 24 * 3600),
    };

    private static bool TryParseRunner(string text, out RunnerKind runner)
    {
        foreach (var kind in Enum.GetValues<RunnerKind>())
        {
            if (string.Equals(RunnerName(kind), text, StringComparison.OrdinalIgnoreCase))
            {
                runner = kind;
                return true;
            }
        }

        runner = default;
        return false;
    }
}
