using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// A <c>[Function]</c> method with an <c>[ActivityTrigger]</c> parameter, run as a Durable activity: its class comes
/// from the worker's services (per invocation, as the Functions worker creates function classes), the trigger
/// parameter gets the input the data converter deserialized for its type, and a <see cref="FunctionContext"/> or
/// <see cref="CancellationToken"/> parameter gets the invocation's.
/// </summary>
internal sealed class FunctionActivity(MethodInfo method, IServiceProvider services) : ITaskActivity
{
    private readonly ParameterInfo _trigger = method.GetParameters().Single(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null);

    public Type InputType => _trigger.ParameterType;

    public Type OutputType => FunctionTasks.ResultType(method.ReturnType);

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var scope = services.CreateAsyncScope();
        var target = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var invocation = new ActivityFunctionContext(context.Name.Name, context.InstanceId, scope.ServiceProvider, CancellationToken.None);
        var arguments = method.GetParameters().Select(p => p switch
        {
            _ when p == _trigger => input,
            { ParameterType: var type } when type == typeof(FunctionContext) => invocation,
            { ParameterType: var type } when type == typeof(CancellationToken) => invocation.CancellationToken,
            _ => throw new NotSupportedException($"{method.DeclaringType?.Name}.{method.Name}: parameter '{p.Name}' cannot be bound"),
        }).ToArray();
        return await FunctionTasks.InvokeAsync(method, target, arguments);
    }
}
