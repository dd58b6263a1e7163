namespace AgentFunctions.Standalone.Engine;

/// <summary>A journal operation with a result.</summary>
public sealed class JournalOperation<T>(Func<BatchContext, T> operation) : JournalOperation
{
    // Continuations must not run on the journal thread.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override void Run(BatchContext context) => _result = operation(context);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
