using System.Runtime.ExceptionServices;
using Akka.Event;

namespace RControl;

/// <summary>The scoped-block logic shared by sessions and session managers.</summary>
internal static class Scope
{
    public static async Task RunAsync(
        Func<Task> body,
        Func<CancellationToken, Task<IReadOnlyList<BaseTaskException>>> waitForTasks,
        Func<Task> close,
        ILoggingAdapter log,
        CancellationToken cancellationToken)
    {
        ExceptionDispatchInfo? bodyError = null;
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            bodyError = ExceptionDispatchInfo.Capture(e);
        }

        IReadOnlyList<BaseTaskException> errors;
        try
        {
            errors = await waitForTasks(cancellationToken).ConfigureAwait(false);
        }
        catch when (bodyError is not null)
        {
            errors = [];
        }
        finally
        {
            await close().ConfigureAwait(false);
        }

        if (bodyError is not null)
        {
            // Never hide the body's own exception under the task errors: report those, rethrow it.
            foreach (var error in errors)
            {
                log.Error(error, "Task error while the scope itself failed: {0}", error.Message);
            }

            bodyError.Throw();
        }

        if (errors.Count > 0)
        {
            throw new TaskErrorsException(errors);
        }
    }
}
