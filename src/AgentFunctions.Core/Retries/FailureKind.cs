namespace AgentFunctions.Core.Retries;

/// <summary>Transient failures are retried on the schedule; permanent ones are dead-lettered at once.</summary>
public enum FailureKind
{
    Transient,
    Permanent,
}
