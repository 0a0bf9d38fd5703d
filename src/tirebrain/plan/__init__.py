"""The action plan as versioned data: targets, thresholds, actions, tasks, departments, clusters."""
