namespace AgentFunctions.Intake;

public enum IntakeOutcome
{
    /// <summary>A new task was started.</summary>
    Started,

    /// <summary>The task exists with the same spec (a redelivered message): nothing to do.</summary>
    Identical,

    /// <summary>The spec was invalid or its id is taken by another spec: dead-lettered, not retried.</summary>
    DeadLettered,
}
