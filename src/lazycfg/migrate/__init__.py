"""Legacy YAML -> Python config factories, verified equal. (Issue 6; stub.)"""
