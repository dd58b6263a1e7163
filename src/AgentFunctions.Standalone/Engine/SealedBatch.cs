using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// A batch the apply thread has finished: the operations to answer, the rows to write in one
/// transaction (in order), the states readers may see once it commits, and its effects.
/// </summary>
internal sealed class SealedBatch(long number)
{
    public long Number { get; } = number;

    public List<JournalOperation> Operations { get; } = [];

    public List<Action<TaskWriter>> Rows { get; } = [];

    public List<(TaskEntry Entry, TaskState State)> States { get; } = [];

    /// <summary>Tasks that end in this batch: held as "finishing" until it commits.</summary>
    public List<string> Finished { get; } = [];

    public BatchEffects Effects { get; } = new();

    /// <summary>How to take the batch back out of memory if its commit fails on a full disk.</summary>
    public BatchUndo Undo { get; } = new();
}
