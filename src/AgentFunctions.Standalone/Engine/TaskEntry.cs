using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// An unfinished task held in memory. The journal's apply thread owns <see cref="State"/> and
/// <see cref="Work"/>; other threads read only <see cref="Committed"/>, the last state on disk.
/// </summary>
public sealed class TaskEntry(TaskState state, string? context, string specHash, bool isNew)
{
    private TaskState _committed = state;

    /// <summary>The decider state, including changes not committed yet.</summary>
    public TaskState State { get; set; } = state;

    /// <summary>The state as of the last commit: what readers see.</summary>
    public TaskState Committed
    {
        get => Volatile.Read(ref _committed);
        set => Volatile.Write(ref _committed, value);
    }

    /// <summary>Inline context, stored in its own column so state updates do not rewrite it.</summary>
    public string? Context { get; } = context;

    public string SpecHash { get; } = specHash;

    public string Id => State.Id;

    /// <summary>Not yet inserted into the database.</summary>
    public bool IsNew { get; set; } = isNew;

    /// <summary>Work this task wants now, by (kind, role).</summary>
    public Dictionary<(WorkKind Kind, string Role), WorkItem> Work { get; } = [];

    /// <summary>Work rows as they are in the database.</summary>
    public Dictionary<(WorkKind Kind, string Role), WorkItem> PersistedWork { get; } = [];

    /// <summary>The state with its context put back (the database keeps them apart).</summary>
    public static TaskState WithContext(TaskState state, string? context) =>
        context is null ? state : state with { Spec = state.Spec with { Context = context } };
}
