using System.Runtime.InteropServices;

namespace RControl.Jobs;

/// <summary>
/// The job store writer's own thread, below the job's priority: compressing and committing output competes with
/// nothing on the job's path (its reader, its actor), and on a busy machine it waits rather than the job.
/// </summary>
/// <remarks>
/// <see cref="ThreadPriority.BelowNormal"/> is honoured by Windows; on Linux .NET leaves every thread at the process's
/// niceness, so the thread raises its own niceness by <see cref="Niceness"/> (<c>setpriority</c> on its thread id: raising
/// it needs no privilege, and it is the thread's alone).
/// </remarks>
internal static partial class WriterThread
{
    /// <summary>CFS gives a thread at +10 about a tenth of the share of one at the process's niceness.</summary>
    public const int Niceness = 10;

    private const int PrioProcess = 0;

    /// <summary>Runs <paramref name="body"/> on a new background thread below normal priority; completes when it returns.</summary>
    public static Task Start(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                LowerOwnPriority();
                body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>The calling thread's niceness (Linux; null elsewhere or when it cannot be read).</summary>
    public static int? CurrentNiceness()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Marshal.SetLastPInvokeError(0);
        var nice = GetPriority(PrioProcess, GetTid());
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    private static void LowerOwnPriority()
    {
        if (OperatingSystem.IsLinux() && CurrentNiceness() is { } nice)
        {
            // Best effort: a writer at normal priority still works.
            _ = SetPriority(PrioProcess, GetTid(), Math.Min(19, nice + Niceness));
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
