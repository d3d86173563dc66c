#!/bin/sh
# skiff/pause:1 - holds a pod's namespaces and does nothing else.
# As PID 1 a shell ignores signals it does not trap, so trap TERM and INT and
# exit 0 at once; `wait` returns as soon as a trapped signal arrives.
trap 'exit 0' TERM INT
while :; do
  sleep 86400 &
  wait $!
done
