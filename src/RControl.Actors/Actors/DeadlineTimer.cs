using System.Diagnostics;
using Akka.Actor;

namespace RControl.Actors;

/// <summary>
/// Tells an actor a message once a duration has passed on the monotonic clock, never before. A command's timeout uses
/// it instead of an Akka timer: Akka's scheduler ticks every 10 ms, so its timers fire up to a tick late, while a
/// <see cref="Timer"/> fires on time (and may fire a little early, which is corrected here).
/// </summary>
internal sealed class DeadlineTimer : IDisposable
{
    /// <summary>The longest duration a <see cref="Timer"/> takes; longer timeouts keep an Akka timer.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly long _due;
    private readonly IActorRef _target;
    private readonly object _message;
    private readonly Timer _timer;

    public DeadlineTimer(TimeSpan after, IActorRef target, object message)
    {
        _due = Stopwatch.GetTimestamp() + (long)(after.TotalSeconds * Stopwatch.Frequency);
        _target = target;
        _message = message;
        _timer = new Timer(static state => ((DeadlineTimer)state!).Fire(), this, after, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _due);
        if (left > TimeSpan.Zero)
        {
            try
            {
                _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Cancelled meanwhile.
            }

            return;
        }

        _target.Tell(_message, ActorRefs.NoSender);
    }

    public void Dispose() => _timer.Dispose();
}
