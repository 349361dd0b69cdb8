namespace RControl;

/// <summary>Base of every task error (the original's <c>BaseTaskError</c>).</summary>
public abstract class BaseTaskException : Exception
{
    protected BaseTaskException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
