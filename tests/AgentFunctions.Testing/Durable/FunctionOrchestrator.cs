using System.Reflection;
using System.Text.Json;
using Microsoft.DurableTask;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// A static <c>[Function]</c> method with an <c>[OrchestrationTrigger] TaskOrchestrationContext</c> parameter, run as a
/// Durable orchestrator. The input stays JSON until the orchestrator asks for it (see <see cref="FunctionOrchestrationContext"/>).
/// </summary>
internal sealed class FunctionOrchestrator(MethodInfo method, DataConverter converter) : ITaskOrchestrator
{
    public Type InputType => typeof(JsonElement?);

    public Type OutputType => FunctionTasks.ResultType(method.ReturnType);

    public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var wrapped = new FunctionOrchestrationContext(context, input as JsonElement?, converter);
        var arguments = method.GetParameters()
            .Select(p => p.ParameterType == typeof(TaskOrchestrationContext)
                ? wrapped
                : throw new NotSupportedException($"{method.DeclaringType?.Name}.{method.Name}: only a TaskOrchestrationContext parameter is bound"))
            .ToArray<object?>();

        // Awaited on the orchestration's own scheduler: ConfigureAwait(false) here would move the orchestrator off it,
        // and the orchestration would never complete.
        return await FunctionTasks.InvokeAsync(method, null, arguments);
    }
}
