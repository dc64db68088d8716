"""Nongbao (农保助手): answers rural residents' social-insurance questions by SMS and chat."""
