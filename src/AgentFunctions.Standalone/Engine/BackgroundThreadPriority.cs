using System.Runtime.InteropServices;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Lowers the scheduling priority of the calling thread on Linux (a per-thread nice value), so that
/// background work yields the CPU to request handling and the journal when both want it. .NET's
/// <see cref="Thread.Priority"/> has no effect on Linux; elsewhere this does nothing. The C library's
/// calls are resolved from the symbols the process already has loaded.
/// </summary>
internal static class BackgroundThreadPriority
{
    private const int PriorityProcess = 0; // PRIO_PROCESS: given a thread id, Linux applies it to that thread only.

    private static readonly Lazy<(GetThreadIdFunction GetThreadId, SetPriorityFunction SetPriority)?> Functions = new(Load);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetThreadIdFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int SetPriorityFunction(int which, int who, int priority);

    public static void LowerCurrentThread(int niceness)
    {
        if (Functions.Value is { } functions)
        {
            // A failure leaves the default priority, which is only slower.
            _ = functions.SetPriority(PriorityProcess, functions.GetThreadId(), niceness);
        }
    }

    private static (GetThreadIdFunction, SetPriorityFunction)? Load()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var process = NativeLibrary.GetMainProgramHandle();
        if (!NativeLibrary.TryGetExport(process, "gettid", out var getThreadId) || !NativeLibrary.TryGetExport(process, "setpriority", out var setPriority))
        {
            return null;
        }

        return (Marshal.GetDelegateForFunctionPointer<GetThreadIdFunction>(getThreadId), Marshal.GetDelegateForFunctionPointer<SetPriorityFunction>(setPriority));
    }
}
