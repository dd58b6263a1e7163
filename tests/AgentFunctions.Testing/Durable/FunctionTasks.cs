using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// Registers an assembly's <c>[Function]</c> orchestrators (<c>[OrchestrationTrigger]</c>) and activities
/// (<c>[ActivityTrigger]</c>) with a plain durabletask-dotnet worker, under their function names, unchanged.
/// </summary>
public static class FunctionTasks
{
    /// <summary>The orchestrator and activity function names found in <paramref name="assembly"/>.</summary>
    public static (IReadOnlyList<string> Orchestrators, IReadOnlyList<string> Activities) Find(Assembly assembly)
    {
        var functions = Functions(assembly).ToList();
        return (
            functions.Where(f => f.Kind == TriggerKind.Orchestration).Select(f => f.Name).ToList(),
            functions.Where(f => f.Kind == TriggerKind.Activity).Select(f => f.Name).ToList());
    }

    /// <param name="converter">The worker's data converter (the orchestrators read their input through it).</param>
    public static DurableTaskRegistry AddFunctions(this DurableTaskRegistry registry, Assembly assembly, DataConverter converter)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(converter);
        foreach (var (name, kind, method) in Functions(assembly))
        {
            if (kind == TriggerKind.Orchestration)
            {
                registry.AddOrchestrator(name, () => new FunctionOrchestrator(method, converter));
            }
            else
            {
                registry.AddActivity(name, services => new FunctionActivity(method, services));
            }
        }

        return registry;
    }

    /// <summary>What a function's return type produces: <c>T</c> of <c>Task&lt;T&gt;</c>, nothing for <c>Task</c>.</summary>
    internal static Type ResultType(Type returnType) =>
        returnType == typeof(Task) || returnType == typeof(void) ? typeof(object)
        : returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetGenericArguments()[0]
        : returnType;

    internal static async Task<object?> InvokeAsync(MethodInfo method, object? target, object?[] arguments)
    {
        object? returned;
        try
        {
            returned = method.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // The function's own exception, as the worker would see it from a direct call.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }

        if (returned is not Task task)
        {
            return returned;
        }

        await task;
        return method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }

    private static IEnumerable<(string Name, TriggerKind Kind, MethodInfo Method)> Functions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                var parameters = method.GetParameters();
                if (parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))
                {
                    yield return (function.Name, TriggerKind.Orchestration, method);
                }
                else if (parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null))
                {
                    yield return (function.Name, TriggerKind.Activity, method);
                }
            }
        }
    }

    private enum TriggerKind
    {
        Orchestration,
        Activity,
    }
}
