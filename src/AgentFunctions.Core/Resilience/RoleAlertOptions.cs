namespace AgentFunctions.Core.Resilience;

/// <summary>
/// A role's health alerts (<c>Roles:&lt;name&gt;:Alerts:*</c>), each off unless set; and the drain target that the
/// <c>desiredWorkers</c> hint of a remote role aims for.
/// </summary>
public sealed record RoleAlertOptions
{
    public const int DefaultTargetDrainSeconds = 300;

    public static RoleAlertOptions Default { get; } = new();

    /// <summary>More attempts than this waiting in the queue.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>The oldest waiting attempt has waited longer than this.</summary>
    public double? MaxOldestWaitSeconds { get; init; }

    /// <summary>More than this share (0..1) of the attempts of the last hour failed.</summary>
    public double? MaxFailureRatio { get; init; }

    /// <summary>More dead letters than this in the last hour.</summary>
    public int? MaxDeadLettersPerHour { get; init; }

    /// <summary>How soon the queue should be empty: what <c>desiredWorkers</c> is computed for.</summary>
    public int TargetDrainSeconds { get; init; } = DefaultTargetDrainSeconds;

    public bool AnyAlert => MaxDepth is not null || MaxOldestWaitSeconds is not null || MaxFailureRatio is not null || MaxDeadLettersPerHour is not null;
}
